"""The node's table of live station connections: one current connection per station, replace-on-reconnect.

Owns the `StationSocket` port (what the edge needs of a WebSocket) and closing connections in the
background (a close waits for the closing handshake, which a half-open socket never completes, so nobody
should wait for it inline). State per connection is kept small: the outbound pipe is created lazily; the boot status
that restricts the station (the last boot answer relayed, or before one, the status of its last boot anywhere,
looked up once) and what the CSMS asked for since (docs/adr/0031) are a string, a flag and, while Pending, a set.
A connection also knows the station CALL it handed to a service and has not answered yet; when it ends, the table
keeps that message id for a while, and the station's next connection on this node marks its first CALL, if it has
that id, as a repeat of it (docs/adr/0017 addendum); any other first CALL but a BootNotification is marked as such, for
the owning service to compare with the station's latest answered CALL (a previous connection on another node).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

from csms_edge.app.outbound import OutboundPipe
from csms_edge.app.sending import SendLane
from csms_edge.domain import boot_gate
from csms_kernel.ocpp.versions import OcppVersion
from csms_kernel.telemetry.metrics import CONNECTIONS

log = logging.getLogger(__name__)

_MARK_BITS = 16
_MARK_MASK = (1 << _MARK_BITS) - 1
_USED = 1 << (_MARK_BITS - 1)
_HASH_MASK = _USED - 1
_RECENT_MASK = (1 << (4 * _MARK_BITS)) - 1

# How long, and for how many stations at most, a CALL left unanswered by an ended connection is remembered (as
# long as the services remember their answers: the answered_calls tables' TTL).
DEPARTED_TTL_S = 600.0
DEPARTED_MAX = 100_000

REPLACED_CODE = 1000
REPLACED_REASON = "replaced by a newer connection"


class StationSocket(Protocol):
    """The parts of a websockets connection the edge uses (a fake implements it in tests)."""

    async def recv(self) -> str | bytes: ...

    async def send(self, message: str) -> None: ...

    async def close(self, code: int = 1000, reason: str = "") -> None: ...


@dataclass(slots=True, eq=False)
class Connection:
    station_id: str
    connection_id: str
    version: OcppVersion
    socket: StationSocket
    _outbound: OutboundPipe | None = field(default=None, repr=False)
    _lane: SendLane | None = field(default=None, repr=False)
    _recent_calls: int = field(default=0, repr=False)
    _registration: str = field(default="", repr=False)
    _status_known: bool = field(default=False, repr=False)
    _asked: set[str] | None = field(default=None, repr=False)
    _unanswered: str = field(default="", repr=False)
    _inherited: tuple[str, str] | None = field(default=None, repr=False)

    def saw_call(self, message_id: str) -> bool:
        """Records a CALL's message id; true when one of the last four CALLs on this connection had it (a
        retransmission). Kept as four 16-bit marks (a used bit + 15 bits of hash) in one int, to stay small per
        idle connection: a false positive (about 1 in 8,000) only costs the owning service a lookup."""
        mark = _USED | (hash(message_id) & _HASH_MASK)
        recent = self._recent_calls
        repeat = mark in (
            recent & _MARK_MASK,
            (recent >> _MARK_BITS) & _MARK_MASK,
            (recent >> 2 * _MARK_BITS) & _MARK_MASK,
            recent >> 3 * _MARK_BITS,
        )
        self._recent_calls = ((recent << _MARK_BITS) | mark) & _RECENT_MASK
        return repeat

    @property
    def no_call_yet(self) -> bool:
        """True until `saw_call` records this connection's first CALL."""
        return self._recent_calls == 0

    def call_handed_over(self, message_id: str) -> None:
        """A station CALL went to its owning service; it is unanswered until `answered` is called for it."""
        self._unanswered = message_id

    def answered(self, message_id: str) -> None:
        """An answer to the station CALL `message_id` was sent on this connection."""
        if self._unanswered == message_id:
            self._unanswered = ""

    @property
    def unanswered(self) -> str:
        """The message id of the last station CALL handed over and not answered on this connection ("" none)."""
        return self._unanswered

    def inherit(self, connection_id: str, message_id: str) -> None:
        """The station's previous connection on this node ended with the CALL `message_id` unanswered."""
        self._inherited = (connection_id, message_id)

    def repeat_of(self, message_id: str) -> str:
        """For the first CALL on this connection: the previous connection's id when the CALL repeats the one left
        unanswered there; "" otherwise (and for every later CALL)."""
        inherited, self._inherited = self._inherited, None
        if inherited is not None and inherited[1] == message_id:
            return inherited[0]
        return ""

    def boot_answered(self, status: str) -> None:
        """The station is sent a BootNotification answer with this status (`edge.domain.boot_gate`)."""
        self._registration = status
        self._status_known = True
        self._asked = None

    def needs_boot_status(self, action: str) -> bool:
        """True when a station CALL of `action` must wait for the status of the station's last boot: nothing
        has told this connection how the station is registered yet (a reconnecting station does not boot again,
        OCPP-J 2.x Part 4 §5.4), and the CALL is not the BootNotification that would."""
        return not self._status_known and action != boot_gate.BOOT_NOTIFICATION

    def boot_status_found(self, status: str) -> None:
        """The status of the station's last boot on any connection ("" never booted, or unknown): it restricts
        this connection until a boot answer is relayed on it."""
        if not self._status_known:
            self._registration = status
            self._status_known = True

    def csms_asked(self, actions: tuple[str, ...]) -> None:
        """The CSMS sends a CALL that asks the station for these requests (allowed while its boot is Pending)."""
        if actions and self._registration == boot_gate.PENDING:
            if self._asked is None:
                self._asked = set()
            self._asked.update(actions)

    def refusal(self, action: str) -> str | None:
        """Why a station CALL of `action` is refused on this connection now (None: it is not)."""
        if not self._registration:
            return None
        return boot_gate.refusal(self._registration, self._asked or frozenset(), action)

    def outbound(self, max_queue: int) -> OutboundPipe:
        """The pending-call pipe of this connection, created on first use."""
        if self._outbound is None:
            self._outbound = OutboundPipe(max_queue)
        return self._outbound

    @property
    def outbound_if_any(self) -> OutboundPipe | None:
        return self._outbound

    def lane(self, make: Callable[[], SendLane]) -> SendLane:
        """The lane of frames written to this station (`edge.app.sending`), made by `make` on first use."""
        if self._lane is None:
            self._lane = make()
        return self._lane

    @property
    def lane_if_any(self) -> SendLane | None:
        return self._lane

    def fail_outbound(self, reason: str) -> None:
        if self._outbound is not None:
            self._outbound.close(reason)


class ConnectionTable:
    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._by_station: dict[str, Connection] = {}
        self._closing: set[asyncio.Task[None]] = set()
        self._clock = clock
        # Station -> (connection id, unanswered CALL's message id, when the connection ended), oldest first.
        self._departed: OrderedDict[str, tuple[str, str, float]] = OrderedDict()

    def __len__(self) -> int:
        return len(self._by_station)

    def register(self, connection: Connection) -> Connection | None:
        """Makes `connection` the station's current one; the one it replaces is failed and closed."""
        previous = self._by_station.get(connection.station_id)
        self._by_station[connection.station_id] = connection
        departed = self._departed.pop(connection.station_id, None)
        if previous is not None and previous is not connection and previous.unanswered:
            connection.inherit(previous.connection_id, previous.unanswered)
        elif departed is not None and self._clock() - departed[2] <= DEPARTED_TTL_S:
            connection.inherit(departed[0], departed[1])
        if previous is None:
            CONNECTIONS.inc()
        elif previous is not connection:
            log.info(
                "station %s reconnected: connection %s replaces %s",
                connection.station_id,
                connection.connection_id,
                previous.connection_id,
            )
            self.close_in_background(previous, REPLACED_CODE, REPLACED_REASON)
            return previous
        return None

    def unregister(self, connection: Connection) -> bool:
        """Removes `connection` if it is still the station's current one."""
        if self._by_station.get(connection.station_id) is connection:
            del self._by_station[connection.station_id]
            CONNECTIONS.dec()
            if connection.unanswered:
                self._departed[connection.station_id] = (
                    connection.connection_id,
                    connection.unanswered,
                    self._clock(),
                )
                while len(self._departed) > DEPARTED_MAX:
                    self._departed.popitem(last=False)
            return True
        return False

    def get(self, station_id: str, connection_id: str = "") -> Connection | None:
        """The station's current connection; with `connection_id`, only if it is that connection."""
        connection = self._by_station.get(station_id)
        if connection is None or (connection_id and connection.connection_id != connection_id):
            return None
        return connection

    def close_in_background(self, connection: Connection, code: int, reason: str) -> None:
        """Fails the connection's pending calls now and closes its socket without waiting for it."""
        connection.fail_outbound(reason)
        task = asyncio.get_running_loop().create_task(self._close(connection, code, reason))
        self._closing.add(task)
        task.add_done_callback(self._closing.discard)

    async def _close(self, connection: Connection, code: int, reason: str) -> None:
        try:
            await connection.socket.close(code, reason)
        except Exception:
            log.warning(
                "closing connection %s of station %s failed",
                connection.connection_id,
                connection.station_id,
                exc_info=True,
            )

    async def wait_sent(self) -> None:
        """Waits until the frames queued for the current connections were written or dropped (draining)."""
        lanes = [connection.lane_if_any for connection in self._by_station.values()]
        await asyncio.gather(*(lane.idle() for lane in lanes if lane is not None))

    async def wait_closing(self) -> None:
        """Waits for background closes (used when draining and in tests)."""
        while self._closing:
            await asyncio.gather(*self._closing, return_exceptions=True)
