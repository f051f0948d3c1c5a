"""Password rotation without a window, on the whole stack (docs/adr/0028): starting a rotation does not close the
station's connection and both passwords stay valid; the station's first connection with the new password makes it
the only one: both edge nodes refuse the old one from then on (the node that had cached it as accepted too), that
connection stays, and a `password_rotated` CSMS security event is published on csms.security.events.v1."""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from typing import Any

from websockets.exceptions import InvalidStatus

from csms.authorization.v1 import authorization_pb2 as pb
from csms.authorization.v1 import authorization_pb2_grpc
from csms.security.v1 import security_pb2
from csms_devtools.stack import Stack
from csms_kernel.ocpp.versions import OcppVersion
from csms_kernel.security.events import TOPIC as SECURITY_EVENTS
from kit.kafka_log import end_offsets, read_committed
from kit.stack import PASSWORD
from kit.stations.ocpp_client import connected_station
from kit.waiting import eventually

NEW_PASSWORD = "the-rotated-password-of-30-chars"
CLOSE_DEADLINE_S = 2.0
VERSION = OcppVersion.V201


async def handshake(stack: Stack, node: int, station_id: str, password: str) -> int:
    """101 when the node accepts the station (it boots, then leaves), else the HTTP status it answers."""
    try:
        async with connected_station(stack.config.edge_url(node), station_id, password, VERSION) as station:
            await station.boot()
    except InvalidStatus as refused:
        return refused.response.status_code
    return 101


async def stays_open(station: Any) -> None:
    """The station's connection is not closed within the deadline the edge nodes follow a change in (ADR 0021:
    a revoking change closes it well within it), and it still answers."""
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(station.socket.wait_closed(), CLOSE_DEADLINE_S)
    assert station.socket.close_code is None
    assert (await station.heartbeat()).current_time


async def test_a_rotation_accepts_both_passwords_until_the_new_one_is_used(
    stack: Stack, authorization: authorization_pb2_grpc.AuthorizationServiceStub
) -> None:
    bootstrap = stack.config.kafka_bootstrap
    start = await end_offsets(bootstrap, SECURITY_EVENTS)
    station_id = f"E2E-ROT-{uuid.uuid4().hex[:8].upper()}"
    await authorization.RegisterStation(
        pb.RegisterStationRequest(station_id=station_id, password=PASSWORD, security_profile=1), timeout=10
    )
    # Node 1 caches an accepted verdict of the old password.
    assert await handshake(stack, 1, station_id, PASSWORD) == 101

    async with connected_station(stack.config.edge_url(0), station_id, PASSWORD, VERSION) as station:
        await station.boot()
        updated = await authorization.UpdateStation(
            pb.UpdateStationRequest(station_id=station_id, pending_password=NEW_PASSWORD), timeout=10
        )
        assert updated.station.password_rotation_pending
        # Starting a rotation does not close the connection.
        await stays_open(station)
    assert await handshake(stack, 1, station_id, PASSWORD) == 101  # still valid while pending

    # The station connects with the new password: the rotation is complete and this connection is not closed by
    # its own promotion; then the old password is refused everywhere (node 1 had cached it as accepted).
    async with connected_station(stack.config.edge_url(0), station_id, NEW_PASSWORD, VERSION) as station:
        await station.boot()
        shown = await authorization.GetRegisteredStation(pb.GetRegisteredStationRequest(station_id=station_id))
        assert not shown.station.password_rotation_pending
        await stays_open(station)
    await eventually(
        lambda: asyncio.gather(*(handshake(stack, node, station_id, PASSWORD) for node in (0, 1))),
        lambda statuses: statuses == [401, 401],
        timeout_s=3.0,
        what="both nodes refuse the old password",
    )

    assert [await handshake(stack, node, station_id, NEW_PASSWORD) for node in (0, 1)] == [101, 101]

    async def rotated() -> list[security_pb2.SecurityEventRecorded]:
        events = [security_pb2.SecurityEventRecorded.FromString(v) for v in await read_committed(bootstrap, start)]
        # the edge nodes publish theirs too (the refused handshakes with the old password)
        return [e for e in events if e.event.station_id == station_id and e.event.type == "password_rotated"]

    (event,) = await eventually(rotated, lambda found: len(found) > 0, timeout_s=10, what="the security event")
    assert event.event.source == security_pb2.SECURITY_EVENT_SOURCE_CSMS
