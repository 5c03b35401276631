"""Business funnels: a scenario's steps ("checkout" → "pay" → "bank confirmed"), the
conversion of each step from the step series, its usual conversion, and the derived
conversion series the alert engine watches (a drop against the baseline alerts, and its
root cause is looked for among the services of that step). Pure: no clock, no I/O.
"""
