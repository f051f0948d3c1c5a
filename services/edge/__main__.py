"""`python -m edge` runs an edge node (settings from CSMS_* / CSMS_EDGE_* environment variables)."""

from edge.bootstrap import main

main()
