"""api adapters: the Cassandra key store, the gRPC clients of the services, the readiness checks, the HTTP
server."""
