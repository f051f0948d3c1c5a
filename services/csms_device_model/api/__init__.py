"""device-model: the gRPC API this service serves (no logic of its own)."""
