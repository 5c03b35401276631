"""The north-star KPI tiles."""
