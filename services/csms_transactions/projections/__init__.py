"""transactions: read models projected from events."""
