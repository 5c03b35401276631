"""North-star KPIs: from scenario series (kpi) and from the event log (mttx)."""
