"""The call graph: topology, its log, layered layout, edge routes and grouping."""
