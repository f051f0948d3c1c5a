"""Entry point: `python -m loadtest.simulator --help`."""

import sys

from loadtest.simulator.cli import main

sys.exit(main())
