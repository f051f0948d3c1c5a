"""authorization: pure rules (no I/O)."""
