"""The `csms` command-line tool: talks gRPC to the running services, and starts them (`csms serve`)."""
