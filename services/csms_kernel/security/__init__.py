"""Security events shared by every service (ADR 0024)."""
