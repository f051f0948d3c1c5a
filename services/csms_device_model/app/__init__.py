"""device-model: application commands: use cases that drive the domain through ports."""
