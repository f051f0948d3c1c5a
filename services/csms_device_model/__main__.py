"""`python -m csms_device_model` runs the process (settings from the environment: docs/configuration.md)."""

from csms_device_model.bootstrap import main

main()
