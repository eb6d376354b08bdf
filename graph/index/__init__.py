"""Side tables beside the store: the name index and the build-time (materialised) tables."""
