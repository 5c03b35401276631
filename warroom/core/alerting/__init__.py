"""Alerting: rules, the alert engine and its log, silences, baselines, health levels and root cause."""
