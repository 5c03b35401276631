"""Incidents: the incident book and the action items they leave."""
