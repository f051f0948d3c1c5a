"""Infrastructure adapters shared by every process: Kafka, Cassandra, gRPC, envelopes, settings, lifecycle."""
