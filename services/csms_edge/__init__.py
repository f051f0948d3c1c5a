"""The edge node: holds station WebSockets, appends every frame to Kafka, delivers replies and CALLs.

Start it with `python -m csms_edge` (see `csms_edge.bootstrap`). The node keeps no state that outlives its sockets.
"""
