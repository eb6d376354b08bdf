"""Bringing outside data into the graph: enterprise rosters and registry exports (``roster``)."""
