"""`python -m csms_api` runs the process (settings from the environment: docs/configuration.md)."""

from csms_api.bootstrap import main

main()
