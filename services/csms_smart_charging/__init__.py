"""The smart-charging service: charging profiles and load management (ADR 0041, 0042)."""
