"""The business-scenario board."""
