"""Test support every tier imports (unit, integration, e2e, faults): fakes, builders, contract suites, station
clients, stack helpers and polling. Holds no tests; tiers import from here, never from each other."""
