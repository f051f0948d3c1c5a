"""The firmware service: firmware updates, diagnostics and log uploads of stations (docs/adr/0037), and the
artifacts they move (docs/adr/0038)."""
