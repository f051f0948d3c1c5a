"""`python -m csms_smart_charging` runs the process (settings from the environment: docs/configuration.md)."""

from csms_smart_charging.bootstrap import main

main()
