"""device-model: read models projected from events."""
