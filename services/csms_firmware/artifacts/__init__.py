"""Firmware artifacts: the store (local directory or S3), signed download URLs, one-time upload tokens, image
metadata, and the station-facing HTTP server (docs/adr/0038-firmware-artifacts.md). Wiring: `bootstrap`."""
