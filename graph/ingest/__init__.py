"""Bringing outside material into the graph: enterprise rosters and registry exports (``roster``),
and new articles read into candidate facts for review (``reading``, ``rules``, ``review``)."""
