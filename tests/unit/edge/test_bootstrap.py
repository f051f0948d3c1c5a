"""edge `build()`: the whole node is one resource, started and drained as a unit; nothing runs before."""

from __future__ import annotations

from csms_edge.bootstrap import EdgeNode, build
from csms_edge.settings import EdgeSettings


async def test_build_wires_the_node_without_starting_it() -> None:
    service = build(EdgeSettings(node_id="edge-7"))
    assert (service.name, service.instance, service.loops, service.grpc, service.router) == (
        "edge",
        "edge-7",
        (),
        None,
        None,
    )
    assert [type(resource) for resource in service.resources] == [EdgeNode]
