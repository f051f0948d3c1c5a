"""The shared kernel every service imports; it depends on no service.

- `ocpp/`: OCPP versions, framing, error codes, schemas, payload conversion, ownership (no I/O, no generated code).
- `handling/`: the station-CALL runtime (router, exactly-once call runner, answered calls).
- `projecting/`: running read-model projections.
- `outbox/`: the transactional outbox relay, the lease that lets one instance run a job, the Kafka event log.
- `clients/`: gRPC clients several services use (the one station-call client, `StationCalls`).
- `infra/`: Kafka, Cassandra and gRPC adapters, envelopes, settings, topics, process lifecycle.
- `telemetry/`: OpenTelemetry tracing and Prometheus metrics.
- `migrate`: topics, keyspaces and service schemas (the topology is packaged: `topology.toml`)."""
