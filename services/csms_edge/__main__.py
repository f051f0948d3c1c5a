"""`python -m csms_edge` runs an edge node (settings from CSMS_* / CSMS_EDGE_* environment variables)."""

from csms_edge.bootstrap import main

main()
