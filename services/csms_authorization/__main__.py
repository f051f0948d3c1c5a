"""`python -m csms_authorization` runs the process (settings from the environment: docs/configuration.md)."""

from csms_authorization.bootstrap import main

main()
