"""api: the HTTP routes (FastAPI routers); translation between HTTP and the services' gRPC APIs only."""
