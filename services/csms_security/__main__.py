"""`python -m csms_security` runs the process (settings from the environment: docs/configuration.md)."""

from csms_security.bootstrap import main

main()
