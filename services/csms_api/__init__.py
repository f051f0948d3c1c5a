"""api service: the operator REST API (FastAPI) in front of the services' gRPC APIs and the Kafka event topics."""
