"""The north-star KPI tree panel: goal, business lines, teams, their share of incident minutes and MTTR."""
