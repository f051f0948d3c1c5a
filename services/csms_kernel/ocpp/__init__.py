"""OCPP itself, independent of our infrastructure: versions, OCPP-J framing, CALLERROR codes, schemas, payloads."""
