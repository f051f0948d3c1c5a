"""live: the live events stream (`GET /api/v1/events`): one shared Kafka tail per API process fanned out to
every Server-Sent Events client, each resumable exactly from an opaque position (docs/adr/0022)."""
