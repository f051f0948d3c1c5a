"""Builders of test inputs per service: handler contexts, events, tokens, charging scenarios."""
