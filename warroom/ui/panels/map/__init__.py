"""The call-chain map: layout, drawing, items, edge routes, the view and the service detail."""
