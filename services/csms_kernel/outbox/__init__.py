"""The transactional outbox: a relay that publishes events stored with their change (`relay`), the lease that
lets one instance of a service publish (`lease`), and the Kafka event log it publishes to (`event_log`)."""
