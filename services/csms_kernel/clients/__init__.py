"""Clients of other services' gRPC APIs that more than one service uses (network I/O only)."""
