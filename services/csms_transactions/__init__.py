"""transactions service: charging sessions on every OCPP version (write model, events, read models) and
remote start/stop."""
