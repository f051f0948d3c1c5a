"""transactions: pure rules (no I/O)."""
