"""Station credential changes reach a real edge node through the real Kafka topic: a revoking change closes the
station's connection (1008) at once, also one accepted on a verdict read before the change; a disabled station
is refused with 403. The registry is a fake; the events are published as the authorization service does."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable

import pytest
from aiokafka import AIOKafkaProducer
from websockets.asyncio.client import ClientConnection
from websockets.exceptions import ConnectionClosed, InvalidStatus

from csms.authorization.v1 import authorization_pb2 as pb
from csms_kernel.infra import topics
from kit.edge_node import DEADLINE_S, EdgeHarness, recv
from kit.waiting import eventually, probe

pytestmark = pytest.mark.integration


async def publish(producer: AIOKafkaProducer, station_id: str, *changes: pb.StationChange.ValueType) -> None:
    event = pb.StationCredentialsChanged(station_id=station_id, revision=1, changes=changes)
    await producer.send_and_wait(topics.STATION_CREDENTIALS, event.SerializeToString(), key=station_id.encode())


async def opened(connecting: Awaitable[ClientConnection]) -> ClientConnection:
    return await connecting


async def test_a_revoking_change_closes_the_connection(edge: EdgeHarness, caplog: pytest.LogCaptureFixture) -> None:
    station_id, password = edge.register()
    async with edge.connect(station_id, password) as ws:
        await eventually(probe(lambda: edge.node.table.get(station_id)), lambda c: c is not None, what="registered")
        await publish(edge.producer, station_id, pb.STATION_CHANGE_ENABLED)  # closes nothing
        await publish(edge.producer, station_id, pb.STATION_CHANGE_DISABLED)
        loop = asyncio.get_running_loop()
        published_at = loop.time()
        with pytest.raises(ConnectionClosed) as closed:
            await recv(ws)
        took = loop.time() - published_at
    assert closed.value.rcvd is not None
    assert (closed.value.rcvd.code, closed.value.rcvd.reason) == (1008, "credentials revoked: disabled")
    assert took < 2.0, f"closed {took:.2f} s after the event was published"

    edge.registry.disabled.add(station_id)
    with caplog.at_level(logging.INFO, logger="csms.security"), pytest.raises(InvalidStatus) as refused:
        async with edge.connect(station_id, password):
            pass
    assert refused.value.response.status_code == 403
    assert refused.value.response.body == b"station disabled\n"
    security = [r.getMessage() for r in caplog.records if r.name == "csms.security"]
    assert any(
        line.startswith(f"security_event=connection_revoked station_id={station_id} connection_id=")
        for line in security
    )
    assert any(
        line.startswith(f"security_event=handshake_refused station_id={station_id} event_id=")
        and 'tech_info="station disabled"' in line
        and "status=403 reason=disabled presented_profile=1" in line
        for line in security
    ), security


async def test_a_connection_verified_before_a_revocation_is_closed_after_its_handshake(edge: EdgeHarness) -> None:
    station_id, password = edge.register()
    changes = edge.node.credential_changes
    assert changes is not None
    edge.registry.gate = asyncio.Event()  # the registry answers only once released: a look-up in flight
    try:
        connecting = asyncio.create_task(opened(edge.connect(station_id, password)))
        await eventually(probe(lambda: (station_id, password) in edge.registry.calls), bool, what="the look-up")
        await publish(edge.producer, station_id, pb.STATION_CHANGE_PASSWORD_CHANGED)
        await eventually(probe(lambda: changes.revoked_since(station_id, 0)), bool, what="the change applied")
        edge.registry.gate.set()  # the verdict, read "before" the change, accepts
        ws = await asyncio.wait_for(connecting, DEADLINE_S)
    finally:
        edge.registry.gate = None
    with pytest.raises(ConnectionClosed) as closed:
        await recv(ws)
    await ws.close()
    assert closed.value.rcvd is not None
    assert (closed.value.rcvd.code, closed.value.rcvd.reason) == (1008, "credentials changed during the handshake")
    assert edge.node.table.get(station_id) is None
