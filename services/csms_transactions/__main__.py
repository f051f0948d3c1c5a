"""`python -m csms_transactions` runs the process (settings from the environment: docs/configuration.md)."""

from csms_transactions.bootstrap import main

main()
