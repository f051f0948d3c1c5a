"""The firmware service: firmware updates and log/diagnostics uploads of stations (docs/adr/0037)."""
