"""Raw WebSocket stations that retry like real ones, and the load they generate (StatusNotification loops).

`RawStation` speaks OCPP-J over a `websockets` client with no OCPP library in between, so hundreds of them fit
in the test process and hostile frames can be sent as they are. It records every frame it sent and every
CALLRESULT/CALLERROR it received, per message id, for exact assertions.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections import Counter, defaultdict
from collections.abc import Sequence
from typing import Any

import websockets
from websockets.asyncio.client import ClientConnection

from csms_kernel.ocpp.versions import OcppVersion
from loadtest.station_socket import open_station_socket

PASSWORD = "fault-tests-password-1234"
ANSWERS = (3, 4, 5)


def boot_payload(version: OcppVersion, vendor: str, model: str) -> dict[str, Any]:
    if version is OcppVersion.V16:
        return {"chargePointVendor": vendor, "chargePointModel": model}
    return {"chargingStation": {"vendorName": vendor, "model": model}, "reason": "PowerUp"}


class StationGaveUp(Exception):
    pass


class RawStation:
    """One station over a raw WebSocket; reconnects (trying each edge URL in turn) and retries its CALLs with
    the same message id until answered, as a station does after a timeout or a lost connection. It accepts
    every CSMS-initiated CALL (`{"status": "Accepted"}`) and records it in `calls`."""

    def __init__(self, urls: Sequence[str], station_id: str, version: OcppVersion) -> None:
        self.urls = list(urls)
        self.station_id = station_id
        self.version = version
        self.sent: Counter[str] = Counter()
        self.replies: dict[str, list[list[Any]]] = defaultdict(list)
        self.received: list[str | bytes] = []
        self.calls: list[list[Any]] = []
        self.connects = 0
        self.url = ""
        self._ws: ClientConnection | None = None
        self._reader: asyncio.Task[None] | None = None
        self._waiting: dict[str, asyncio.Future[list[Any]]] = {}
        self._new_reply = asyncio.Condition()

    @property
    def connected(self) -> bool:
        return self._reader is not None and not self._reader.done()

    @property
    def awaiting_reply(self) -> bool:
        """A CALL of this station is sent and not answered yet."""
        return bool(self._waiting)

    @property
    def close_code(self) -> int | None:
        """The close code of the last connection once it is closed."""
        return self._ws.close_code if self._ws is not None and not self.connected else None

    async def connect(self, deadline_s: float = 60.0) -> None:
        """Connects to the first edge URL that accepts, trying them in turn until the deadline."""
        deadline = time.monotonic() + deadline_s
        attempt = 0
        while True:
            url = self.urls[(self.connects + attempt) % len(self.urls)]
            try:
                self._ws = await open_station_socket(
                    url, self.station_id, PASSWORD, self.version, open_timeout_s=10, max_size=None
                )
            except (OSError, TimeoutError, websockets.InvalidHandshake):
                attempt += 1
                if time.monotonic() > deadline:
                    raise
                await asyncio.sleep(min(0.2 * attempt, 1.0))
                continue
            self.url = url
            self.connects += 1
            self._reader = asyncio.create_task(self._read(self._ws))
            return

    async def _read(self, ws: ClientConnection) -> None:
        with contextlib.suppress(websockets.ConnectionClosed):
            async for message in ws:
                self.received.append(message)
                try:
                    frame = json.loads(message)
                except ValueError:
                    continue
                if isinstance(frame, list) and len(frame) == 4 and frame[0] == 2:
                    self.calls.append(frame)
                    await ws.send(json.dumps([3, frame[1], {"status": "Accepted"}]))
                elif isinstance(frame, list) and len(frame) >= 3 and frame[0] in ANSWERS and isinstance(frame[1], str):
                    self.replies[frame[1]].append(frame)
                    waiter = self._waiting.pop(frame[1], None)
                    if waiter is not None and not waiter.done():
                        waiter.set_result(frame)
                    async with self._new_reply:
                        self._new_reply.notify_all()

    async def send(self, message: str | bytes, message_id: str = "") -> None:
        """Sends one frame as it is (raises ConnectionClosed if the socket is gone)."""
        assert self._ws is not None
        if message_id:
            self.sent[message_id] += 1
        await self._ws.send(message)

    async def wait_replies(self, message_id: str, count: int, timeout_s: float) -> None:
        """Waits until `count` replies with `message_id` arrived in all."""
        async with asyncio.timeout(timeout_s), self._new_reply:
            await self._new_reply.wait_for(lambda: len(self.replies[message_id]) >= count)

    async def call(
        self, message_id: str, action: str, payload: dict[str, Any], *, attempt_timeout_s: float, deadline_s: float
    ) -> tuple[list[Any], float]:
        """Sends the CALL until a reply arrives; returns the first reply and the seconds since the last send."""
        frame = json.dumps([2, message_id, action, payload])
        deadline = time.monotonic() + deadline_s
        while time.monotonic() < deadline:
            if not self.connected:
                await self.connect(max(1.0, deadline - time.monotonic()))
            waiter = self._waiting.setdefault(message_id, asyncio.get_running_loop().create_future())
            sent_at = time.monotonic()
            assert self._reader is not None
            try:
                await self.send(frame, message_id)
            except websockets.ConnectionClosed:
                # send raises without yielding: wait for the reader to see the close, or this loop starves all
                await self._reader
                continue
            watched: set[asyncio.Future[Any]] = {waiter, self._reader}
            await asyncio.wait(watched, timeout=attempt_timeout_s, return_when=asyncio.FIRST_COMPLETED)
            if waiter.done():
                return waiter.result(), time.monotonic() - sent_at
        raise StationGaveUp(f"{self.station_id}: no reply to {action} {message_id} within {deadline_s} s")

    async def close(self) -> None:
        if self._ws is not None:
            await self._ws.close()
        if self._reader is not None:
            await self._reader


async def connect_all(stations: Sequence[RawStation], concurrency: int = 50) -> None:
    limit = asyncio.Semaphore(concurrency)

    async def connect(station: RawStation) -> None:
        async with limit:
            await station.connect()

    await asyncio.gather(*(connect(station) for station in stations))


async def close_all(stations: Sequence[RawStation]) -> None:
    await asyncio.gather(*(station.close() for station in stations), return_exceptions=True)


STATUSES = ("Available", "Unavailable", "Faulted")  # valid connector states in 1.6 and 2.x


def status_payload(version: OcppVersion, status: str) -> dict[str, Any]:
    """Connector 1 (1.6) / EVSE 1 connector 1 (2.x): both project to evse 1, connector 1."""
    if version is OcppVersion.V16:
        return {"connectorId": 1, "errorCode": "NoError", "status": status}
    now = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    return {"timestamp": now, "connectorStatus": status, "evseId": 1, "connectorId": 1}


class StatusLoad:
    """Stations sending StatusNotification after StatusNotification (each sent again after
    `attempt_timeout_s` without an answer), recording every acknowledged CALL: (message id, status, monotonic
    time of the reply)."""

    def __init__(self, stations: Sequence[RawStation], pause_s: float, *, attempt_timeout_s: float = 3) -> None:
        self.stations = stations
        self.acked: dict[str, list[tuple[str, str, float]]] = {station.station_id: [] for station in stations}
        self._pause_s = pause_s
        self._attempt_timeout_s = attempt_timeout_s
        self._stop = asyncio.Event()
        self._tasks: list[asyncio.Task[None]] = []

    def start(self) -> None:
        self._tasks = [asyncio.create_task(self._run(station)) for station in self.stations]

    async def stop(self) -> None:
        """Lets every station finish the CALL in hand (so each ends answered), then returns."""
        self._stop.set()
        await asyncio.gather(*self._tasks)

    def acked_since(self, moment: float) -> int:
        """How many stations had at least 3 CALLs acknowledged after `moment`."""
        return sum(1 for acks in self.acked.values() if sum(1 for *_, at in acks if at > moment) >= 3)

    async def _run(self, station: RawStation) -> None:
        sequence = 0
        while not self._stop.is_set():
            sequence += 1
            message_id, status = f"st-{sequence}", STATUSES[sequence % len(STATUSES)]
            payload = status_payload(station.version, status)
            await station.call(
                message_id,
                "StatusNotification",
                payload,
                attempt_timeout_s=self._attempt_timeout_s,
                deadline_s=max(180, 2 * self._attempt_timeout_s),
            )
            self.acked[station.station_id].append((message_id, status, time.monotonic()))
            await asyncio.sleep(self._pause_s)
