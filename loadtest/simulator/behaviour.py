"""What one simulated station sends next in steady state (pure: state, a seeded random source, no I/O).

Idle, a station sends Heartbeats and now and then a StatusNotification (toggling Available/Unavailable), a 2.x
station also NotifyEvent faults of its connector (raised, then cleared by its next one); with
sessions on, it sometimes starts a charging session: Authorize, then 1.6 StartTransaction / 2.x
TransactionEvent Started, `session_length` meter values (1.6 MeterValues / 2.x TransactionEvent Updated),
then 1.6 StopTransaction / 2.x TransactionEvent Ended. The CSMS answers steer it: a rejected Authorize ends
the attempt, a 1.6 StartTransaction result supplies the transaction id. A CALLERROR (e.g. NotSupported while
no transactions service exists) or a timeout does not stop the session: the station carries on as if
offline-authorized, so the load stays the same.
"""

from __future__ import annotations

import enum
import random
from dataclasses import dataclass, field
from typing import Any

from csms_kernel.ocpp.versions import OcppVersion
from loadtest.simulator import messages
from loadtest.simulator.messages import Message

METER_STEP_WH = 500


class State(enum.Enum):
    IDLE = "idle"
    AUTHORIZING = "authorizing"
    CHARGING = "charging"


@dataclass(frozen=True)
class Mix:
    """Per idle tick: chance of starting a session (if enabled), of a StatusNotification and (2.x) of a
    NotifyEvent fault; else Heartbeat."""

    sessions: bool = True
    start_probability: float = 0.05
    status_probability: float = 0.1
    session_length: int = 10
    fault_probability: float = 0.0


@dataclass
class Behaviour:
    station_id: str
    version: OcppVersion
    id_token: str
    mix: Mix
    rng: random.Random
    state: State = State.IDLE
    available: bool = True
    meter_wh: int = 0
    sessions_started: int = 0
    meter_values_sent: int = 0
    seq_no: int = 0
    transaction_id_16: int = 0
    transaction_id: str = ""
    events_sent: int = 0
    fault_raised: bool = False
    _last: str = field(default="", repr=False)

    def next_message(self, at: str) -> Message:
        """The next CALL to send; `at` is the station's current time (ISO 8601)."""
        message = self._choose(at)
        self._last = message[0]
        return message

    def _choose(self, at: str) -> Message:
        if self.state is State.AUTHORIZING:
            return self._start(at)
        if self.state is State.CHARGING:
            if self.meter_values_sent < self.mix.session_length:
                return self._meter_values(at)
            return self._stop(at)
        draw = self.rng.random()
        if self.mix.sessions and draw < self.mix.start_probability:
            self.state = State.AUTHORIZING
            return messages.authorize(self.version, self.id_token)
        if draw < self.mix.start_probability + self.mix.status_probability:
            self.available = not self.available
            return messages.status_notification(self.version, self.available, at)
        faults = self.mix.start_probability + self.mix.status_probability + self.mix.fault_probability
        if self.version is not OcppVersion.V16 and draw < faults:
            return self._fault(at)
        return messages.heartbeat()

    def _fault(self, at: str) -> Message:
        self.events_sent += 1
        self.fault_raised = not self.fault_raised
        tech_code = messages.FAULT_TECH_CODES[self.events_sent // 2 % len(messages.FAULT_TECH_CODES)]
        return messages.notify_event(self.events_sent, self.fault_raised, tech_code, at)

    def _start(self, at: str) -> Message:
        self.state = State.CHARGING
        self.sessions_started += 1
        self.meter_values_sent = 0
        self.seq_no = 0
        if self.version is OcppVersion.V16:
            self.transaction_id_16 = self.sessions_started  # replaced by the CSMS's id when it answers
            return messages.start_transaction(self.id_token, self.meter_wh, at)
        self.transaction_id = f"{self.station_id}-{self.sessions_started}"[-36:]
        return messages.transaction_event("Started", self.transaction_id, self.seq_no, self.id_token, self.meter_wh, at)

    def _meter_values(self, at: str) -> Message:
        self.meter_values_sent += 1
        self.meter_wh += METER_STEP_WH
        if self.version is OcppVersion.V16:
            return messages.meter_values(self.transaction_id_16, self.meter_wh, at)
        self.seq_no += 1
        return messages.transaction_event("Updated", self.transaction_id, self.seq_no, self.id_token, self.meter_wh, at)

    def _stop(self, at: str) -> Message:
        self.state = State.IDLE
        if self.version is OcppVersion.V16:
            return messages.stop_transaction(self.transaction_id_16, self.id_token, self.meter_wh, at)
        self.seq_no += 1
        return messages.transaction_event("Ended", self.transaction_id, self.seq_no, self.id_token, self.meter_wh, at)

    def on_result(self, payload: dict[str, Any]) -> None:
        """The CALLRESULT payload of the last message sent (not called on CALLERROR or timeout)."""
        if self._last == "Authorize" and self.state is State.AUTHORIZING:
            info = payload.get("idTagInfo") or payload.get("idTokenInfo") or {}
            if info.get("status", "Accepted") != "Accepted":
                self.state = State.IDLE
        elif self._last == "StartTransaction" and isinstance(payload.get("transactionId"), int):
            self.transaction_id_16 = payload["transactionId"]
