"""`python -m csms_edge` runs the process (settings from the environment: docs/configuration.md)."""

from csms_edge.bootstrap import main

main()
