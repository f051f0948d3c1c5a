"""Staged fleet firmware campaigns (docs/adr/0040-firmware-campaigns.md)."""
