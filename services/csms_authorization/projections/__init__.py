"""authorization: read models projected from events."""
