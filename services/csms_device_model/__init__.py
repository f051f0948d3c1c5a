"""device-model service: station boot, heartbeat and connector status; station projections; CSMS-initiated calls."""
