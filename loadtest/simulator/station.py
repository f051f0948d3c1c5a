"""One simulated station's WebSocket: connect (HTTP Basic, one subprotocol), one outstanding CALL at a time,
answers to CSMS-initiated CALLs (firmware, then the `agents`: charging profiles and reservations, then device
management from the station's own state, `device_model.Responder`; the NotifyReport parts after a GetBaseReport
sent as soon as it is the station's turn), and the outcome of every CALL
recorded in the current phase's stats.

Raw `websockets` + json: the latency of a CALL is taken from just before it is written to when its answer is
read by the connection's reader task (not when the waiting task gets scheduled).
"""

from __future__ import annotations

import asyncio
import json
import ssl
import time
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, Protocol

from websockets.asyncio.client import ClientConnection
from websockets.exceptions import ConnectionClosed, InvalidStatus

from csms_kernel.ocpp.versions import OcppVersion
from loadtest.simulator import messages
from loadtest.simulator.behaviour import Behaviour
from loadtest.simulator.device_model import Message, Responder
from loadtest.simulator.firmware import FirmwareAgent, Operations
from loadtest.simulator.messages import Payload
from loadtest.simulator.stats import PhaseStats
from loadtest.station_socket import open_station_socket


class Agent(Protocol):
    """A part of a station's behaviour that answers some CSMS CALLs (smart charging, reservations): the
    CALLRESULT payload and what starts once it is sent, or None for an action it does not own."""

    def answer(self, action: str, payload: Payload, at: str) -> tuple[Payload, Callable[[Operations], None]] | None: ...

    async def stop(self) -> None: ...


def connect_failure(exc: BaseException) -> str:
    """A short reason for a failed connection attempt, for the summary's counters."""
    if isinstance(exc, InvalidStatus):
        return f"HTTP {exc.response.status_code}"
    if isinstance(exc, TimeoutError):
        return "timeout"
    return type(exc).__name__


class Station:
    def __init__(
        self,
        station_id: str,
        version: OcppVersion,
        behaviour: Behaviour,
        phase: Callable[[], PhaseStats],
        *,
        call_timeout_s: float,
        responder: Responder | None = None,
        clock: Callable[[], str] = lambda: "",
        firmware: FirmwareAgent | None = None,
        on_reboot: Callable[[Station, str], Awaitable[None]] | None = None,
        agents: Sequence[Agent] = (),
    ) -> None:
        """`clock`: the station's current time (ISO 8601), for the reports it sends; `firmware`: its updates and
        log uploads; `on_reboot(station, reason)`: brings the station back after a reboot (reconnect, boot);
        `agents`: the other CALLs it owns (charging profiles, reservations)."""
        self.station_id = station_id
        self.version = version
        self.behaviour = behaviour
        self._phase = phase
        self._call_timeout_s = call_timeout_s
        self._ws: ClientConnection | None = None
        self._reader: asyncio.Task[None] | None = None
        self._waiting: tuple[str, asyncio.Future[tuple[float, Any]]] | None = None
        self._next_id = 0
        self._closing = False
        self.responder = responder
        self._clock = clock
        self._turn = asyncio.Lock()
        self._follow_ups: set[asyncio.Task[None]] = set()
        self.firmware = firmware
        self._on_reboot = on_reboot
        self.rebooting = False
        self.agents = tuple(agents)

    @property
    def is_open(self) -> bool:
        return self._ws is not None

    async def connect(
        self, url: str, password: str, open_timeout_s: float = 30.0, *, tls: ssl.SSLContext | None = None
    ) -> None:
        """Opens the WebSocket (`tls`: the context of a wss:// url); raises on failure (refused handshake,
        timeout, network error)."""
        self._closing = False
        self._ws = await open_station_socket(
            url,
            self.station_id,
            password,
            self.version,
            open_timeout_s=open_timeout_s,
            proxy=None,
            close_timeout=2,
            max_queue=4,
            **({"ssl": tls} if tls is not None else {}),
        )
        self._reader = asyncio.create_task(self._read(self._ws))

    async def call(self, action: str, payload: Payload) -> Payload | None:
        """Sends one CALL once no other is outstanding and waits for its answer: the CALLRESULT payload, or None
        after a CALLERROR, a timeout or a closed connection (each recorded)."""
        async with self._turn:
            return await self._call(action, payload)

    async def _call(self, action: str, payload: Payload) -> Payload | None:
        ws, stats = self._ws, self._phase()
        if ws is None:
            return None
        self._next_id += 1
        message_id = str(self._next_id)
        answer: asyncio.Future[tuple[float, Any]] = asyncio.get_running_loop().create_future()
        self._waiting = (message_id, answer)
        stats.sent(action)
        started = time.perf_counter()
        try:
            await ws.send(messages.call_frame(message_id, action, payload))
            answered_at, frame = await asyncio.wait_for(answer, self._call_timeout_s)
        except TimeoutError:
            stats.timeout(action)
            return None
        except ConnectionClosed:
            stats.error(action, "ConnectionClosed")
            return None
        finally:
            self._waiting = None
        if frame[0] == 3:
            stats.result(answered_at - started)
            result: Payload = frame[2]
            return result
        stats.error(action, str(frame[2]))
        return None

    async def _read(self, ws: ClientConnection) -> None:
        try:
            async for raw in ws:
                await self._on_frame(ws, json.loads(raw))
        except ConnectionClosed:
            pass
        finally:
            if self._ws is ws:
                self._ws = None
                if not self._closing:
                    self._phase().closed_unexpectedly += 1
            if self._waiting is not None and not self._waiting[1].done():
                self._waiting[1].set_exception(ConnectionClosed(None, None))

    async def _on_frame(self, ws: ClientConnection, frame: list[Any]) -> None:
        if frame[0] == 2:  # a CSMS-initiated CALL, answered in order
            owned = self.firmware.answer(frame[2], frame[3], self._clock()) if self.firmware else None
            for agent in self.agents:
                if owned is not None:
                    break
                owned = agent.answer(frame[2], frame[3], self._clock())
            if owned is not None:
                await ws.send(messages.call_result_frame(frame[1], owned[0]))
                owned[1](self)
                return
            answered = self.responder.answer(frame[2], frame[3], self._clock()) if self.responder else None
            if answered is None:
                await ws.send(messages.answer_csms_call(frame[1], frame[2]))
                return
            result, follow_ups = answered
            await ws.send(messages.call_result_frame(frame[1], result))
            if follow_ups:
                task = asyncio.create_task(self._send_all(follow_ups))
                self._follow_ups.add(task)
                task.add_done_callback(self._follow_ups.discard)
            return
        waiting = self._waiting
        if waiting is not None and frame[1] == waiting[0] and not waiting[1].done():
            waiting[1].set_result((time.perf_counter(), frame))

    async def _send_all(self, calls: list[Message]) -> None:
        for action, payload in calls:
            await self.call(action, payload)

    def abort(self) -> None:
        """Drops the TCP connection without a closing handshake (a network failure, as in a reconnect storm)."""
        ws = self._ws
        if ws is not None:
            self._closing = True
            self._ws = None
            ws.transport.abort()

    async def reboot(self, reason: str) -> None:
        """Closes the connection and lets `on_reboot` bring the station back (booting with `reason`)."""
        self.rebooting = True
        try:
            await self.disconnect()
            if self._on_reboot is not None:
                await self._on_reboot(self, reason)
        finally:
            self.rebooting = False

    async def close(self) -> None:
        for task in list(self._follow_ups):
            task.cancel()
        if self.firmware is not None:
            await self.firmware.stop()
        for agent in self.agents:
            await agent.stop()
        await self.disconnect()

    async def disconnect(self) -> None:
        ws = self._ws
        if ws is not None:
            self._closing = True
            self._ws = None
            await ws.close()
        if self._reader is not None:
            await self._reader
