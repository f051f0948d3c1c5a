"""The firmware service: firmware updates, diagnostics and log uploads, and the artifacts they move."""
