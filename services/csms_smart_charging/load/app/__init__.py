"""Load management use cases."""
