"""Reading new articles into candidate facts for review, then into the graph."""
