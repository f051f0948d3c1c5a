"""`python -m csms_firmware` runs the process (settings from the environment: docs/configuration.md)."""

from csms_firmware.bootstrap import main

main()
