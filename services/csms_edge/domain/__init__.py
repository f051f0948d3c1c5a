"""edge: pure rules (no I/O)."""
