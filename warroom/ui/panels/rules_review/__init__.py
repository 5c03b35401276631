"""The rules review panel: per alert rule, what its alerts led to, and the rules that only make noise."""
