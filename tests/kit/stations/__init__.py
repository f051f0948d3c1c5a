"""Station clients for tests over real WebSockets: `ocpp` ChargePoints (ocpp_client) and raw OCPP-J (raw)."""
