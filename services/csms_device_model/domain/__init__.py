"""device-model: pure rules (no I/O)."""
