"""Views built from answers: interactive graph views, the model diagram, networkx projections."""
