"""In-memory fakes of the edge's ports (FrameLog, StationRegistry, StationSocket) and fixed clocks/ids.

Every fake writes into a shared `journal` so tests can assert the order of "logged" and "sent".
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Any

from websockets.exceptions import ConnectionClosed
from websockets.frames import Close

from csms.envelope.v1 import envelope_pb2
from csms_edge.app.connections import Connection, ConnectionTable
from csms_edge.app.session import SessionContext
from csms_edge.domain.envelopes import EnvelopeFactory
from csms_edge.ports import BootStatusUnavailable, RegistryUnavailable, Verdict
from csms_kernel.ocpp.versions import OcppVersion
from kit.builders.envelopes import frame_envelope

T0_NS = 1_767_225_600_000_000_000  # 2026-01-01T00:00:00Z
TRACEPARENT = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"


def heartbeat_call(station_id: str = "CS-1", message_id: str = "m1") -> envelope_pb2.Envelope:
    """The envelope of a station's 2.0.1 Heartbeat CALL, as the edge appends it."""
    return frame_envelope(
        f'[2,"{message_id}","Heartbeat",{{}}]',
        station_id=station_id,
        tenant="acme",
        message_id=message_id,
        edge_node_id="",
        connection_id="",
        traceparent=TRACEPARENT,
    )


EDGE_ADDRESS = "10.0.0.7:50070"

Journal = list[tuple[str, Any]]


class FixedClock:
    """Nanosecond clock that advances 1 ms per reading."""

    def __init__(self, start_ns: int = T0_NS) -> None:
        self.now_ns = start_ns

    def __call__(self) -> int:
        value = self.now_ns
        self.now_ns += 1_000_000
        return value


class FakeFrameLog:
    def __init__(self, journal: Journal | None = None) -> None:
        self.journal: Journal = journal if journal is not None else []
        self.records: list[envelope_pb2.Envelope] = []
        self.fail = False
        self.gate: asyncio.Event | None = None  # when set: appends wait until the event is set

    async def append(self, envelope: envelope_pb2.Envelope) -> None:
        await self.append_many([envelope])

    async def append_many(self, envelopes: Sequence[envelope_pb2.Envelope]) -> None:
        await asyncio.sleep(0)  # a real append suspends
        if self.gate is not None:
            await self.gate.wait()
        if self.fail:
            raise ConnectionError("kafka unavailable")
        for envelope in envelopes:
            copy = envelope_pb2.Envelope()
            copy.CopyFrom(envelope)
            self.records.append(copy)
            self.journal.append(("logged", copy))

    def kinds(self) -> list[str]:
        return [envelope_pb2.Kind.Name(record.kind) for record in self.records]


class FakeSocket:
    """A station socket: `feed()` what the station sends; `sent` is what the edge wrote."""

    def __init__(self, journal: Journal | None = None) -> None:
        self.journal: Journal = journal if journal is not None else []
        self.incoming: asyncio.Queue[str | bytes | BaseException] = asyncio.Queue()
        self.sent: list[str] = []
        self.closed: tuple[int, str] | None = None
        self.block_sends = False

    def feed(self, message: str | bytes) -> None:
        self.incoming.put_nowait(message)

    def disconnect(self, code: int = 1000, reason: str = "bye") -> None:
        """The station closes the connection."""
        self.incoming.put_nowait(ConnectionClosed(Close(code, reason), Close(code, reason), True))

    async def recv(self) -> str | bytes:
        item = await self.incoming.get()
        if isinstance(item, BaseException):
            self.incoming.put_nowait(item)  # closed stays closed
            raise item
        return item

    async def send(self, message: str) -> None:
        if self.closed is not None:
            raise ConnectionClosed(None, Close(*self.closed))
        if self.block_sends:
            await asyncio.Event().wait()
        self.sent.append(message)
        self.journal.append(("sent", message))

    async def close(self, code: int = 1000, reason: str = "") -> None:
        if self.closed is None:
            self.closed = (code, reason)
            self.incoming.put_nowait(ConnectionClosed(None, Close(code, reason)))


class FakeRegistry:
    """Stations and passwords in `credentials`, registered at `profiles` (default 1), `disabled` ones refused as
    such; while `gate` is set, answers wait until it is set (a look-up in flight). The registry's profile rule
    (docs/adr/0024): a lower presented profile is too low; at profile 3 over profile 3 no password is needed."""

    def __init__(self, credentials: dict[str, str] | None = None) -> None:
        self.credentials = dict(credentials or {})
        self.profiles: dict[str, int] = {}
        self.disabled: set[str] = set()
        self.unavailable = False
        self.gate: asyncio.Event | None = None
        self.calls: list[tuple[str, str]] = []
        self.presented: list[int] = []

    async def verify(self, station_id: str, password: str, presented_profile: int = 1) -> Verdict:
        self.calls.append((station_id, password))
        self.presented.append(presented_profile)
        await asyncio.sleep(0)
        if self.gate is not None:
            await self.gate.wait()
        if self.unavailable:
            raise RegistryUnavailable("registry down")
        if station_id not in self.credentials:
            return Verdict.UNKNOWN_STATION
        registered = self.profiles.get(station_id, 1)
        if presented_profile < registered:
            return Verdict.PROFILE_TOO_LOW
        if not (registered == 3 and presented_profile == 3) and self.credentials[station_id] != password:
            return Verdict.WRONG_PASSWORD
        return Verdict.DISABLED if station_id in self.disabled else Verdict.ACCEPTED


class RecordingVerdictCache:
    """The stations whose verdicts were forgotten, in order."""

    def __init__(self) -> None:
        self.forgotten: list[str] = []

    def forget(self, station_id: str) -> None:
        self.forgotten.append(station_id)


def envelope_factory(node_id: str = "edge-1") -> EnvelopeFactory:
    return EnvelopeFactory(node_id, "acme", clock_ns=FixedClock(), traceparents=lambda: TRACEPARENT)


class FakeBootStatuses:
    """The status of each station's last boot (`statuses`; "" for others); raises BootStatusUnavailable while
    `down`. `looked_up` lists the stations asked for, in order."""

    def __init__(self) -> None:
        self.statuses: dict[str, str] = {}
        self.down = False
        self.looked_up: list[str] = []

    async def last_status(self, station_id: str) -> str:
        self.looked_up.append(station_id)
        if self.down:
            raise BootStatusUnavailable("UNAVAILABLE: device-model down")
        return self.statuses.get(station_id, "")


class World:
    """One edge node's in-memory collaborators."""

    def __init__(self) -> None:
        self.journal: Journal = []
        self.frame_log = FakeFrameLog(self.journal)
        self.table = ConnectionTable()
        self.envelopes = envelope_factory()
        self.boot_statuses = FakeBootStatuses()
        self.context = SessionContext(
            self.table, self.frame_log, self.envelopes, EDGE_ADDRESS, boot_statuses=self.boot_statuses
        )

    def connection(
        self, station_id: str = "CS-1", version: OcppVersion = OcppVersion.V201, connection_id: str = "c0ffee"
    ) -> tuple[Connection, FakeSocket]:
        socket = FakeSocket(self.journal)
        return Connection(station_id, connection_id, version, socket), socket
