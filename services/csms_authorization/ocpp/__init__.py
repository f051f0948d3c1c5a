"""authorization: station→CSMS OCPP handlers: `routing.py` and one module per action per version."""
