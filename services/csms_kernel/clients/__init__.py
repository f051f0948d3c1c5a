"""Clients of other services' gRPC APIs that more than one service uses, and the one way to open a channel to
a service (`channels`; network I/O only)."""
