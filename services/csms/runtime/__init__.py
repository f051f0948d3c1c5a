"""The OCPP handler runtime shared by every service: versions, framing, schemas, routing, error codes."""
