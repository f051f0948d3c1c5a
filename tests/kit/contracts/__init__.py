"""One contract suite per port, run against the fake (tests/unit) and the real adapter (tests/integration)."""
