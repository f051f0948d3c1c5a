"""edge: adapters of the ports: Cassandra, Kafka and gRPC clients."""
