"""What one simulated station sends next in steady state (pure: state, a seeded random source, no I/O).

Idle, a station sends Heartbeats and now and then a StatusNotification (toggling Available/Unavailable), a 2.x
station also NotifyEvent faults of its connector (raised, then cleared by its next one); with
sessions on, it sometimes starts a charging session: Authorize, then 1.6 StartTransaction / 2.x
TransactionEvent Started, `session_length` meter values (1.6 MeterValues / 2.x TransactionEvent Updated),
then 1.6 StopTransaction / 2.x TransactionEvent Ended. The CSMS answers steer it: a rejected Authorize ends
the attempt, a 1.6 StartTransaction result supplies the transaction id. A CALLERROR (e.g. NotSupported while
no transactions service exists) or a timeout does not stop the session: the station carries on as if
offline-authorized, so the load stays the same.

With `profiles` (charging_profiles.py) the session's meter values also carry its power and currents, which
follow the EVSE's composite limit (the car draws up to `car_max_current` on `car_phases` phases, never more than
the limit; a limit of 0 pauses it) and its energy grows by that power over the station's time. With
`reservations` a session may start only with the reserved token (or its group, from the Authorize answer): another
token's attempt ends before the transaction starts (counted in `starts_refused`); the reserved token's session
carries the reservation's id and ends it.
"""

from __future__ import annotations

import enum
import random
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from csms_kernel.ocpp.versions import OcppVersion
from loadtest.simulator import messages
from loadtest.simulator.charging_profiles import ChargingProfiles
from loadtest.simulator.firmware import parse_time
from loadtest.simulator.messages import Draw, Message
from loadtest.simulator.reservations import AVAILABLE, OCCUPIED, UNAVAILABLE, Reservations

METER_STEP_WH = 500
EVSE = 1


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
    profiles: ChargingProfiles | None = None
    reservations: Reservations | None = None
    car_max_current: float = 32.0
    car_phases: int = 3
    group: str | None = None  # the id token's group, from the last Authorize answer
    starts_refused: int = 0
    last_draw: Draw | None = None
    _metered_at: datetime | None = field(default=None, repr=False)
    _energy_wh: float = field(default=0.0, repr=False)
    _last: str = field(default="", repr=False)

    def connector_status(self, evse_id: int) -> str:
        """The EVSE's state as a reservation sees it."""
        if self.state is State.CHARGING:
            return OCCUPIED
        return AVAILABLE if self.available else UNAVAILABLE

    def next_message(self, at: str) -> Message:
        """The next CALL to send; `at` is the station's current time (ISO 8601)."""
        message = self._choose(at)
        self._last = message[0]
        return message

    def _choose(self, at: str) -> Message:
        if self.state is State.AUTHORIZING:
            now = parse_time(at)
            reservations = self.reservations
            if reservations is None or now is None:
                return self._start(at, None)
            if reservations.admits(EVSE, self.id_token, self.group, now):
                return self._start(at, reservations.consume(EVSE, self.id_token, self.group, now))
            self.state = State.IDLE  # reserved for another token: this one may not start here
            self.starts_refused += 1
        if self.state is State.CHARGING:
            if self.meter_values_sent < self.mix.session_length:
                return self._meter_values(at)
            return self._stop(at)
        draw = self.rng.random()
        if self.mix.sessions and draw < self.mix.start_probability:
            self.state = State.AUTHORIZING
            return messages.authorize(self.version, self.id_token)
        if draw < self.mix.start_probability + self.mix.status_probability and not self._reserved(at):
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

    def _reserved(self, at: str) -> bool:
        """Whether a reservation holds the EVSE (its status stays Reserved: no availability toggling)."""
        now = parse_time(at) if self.reservations is not None else None
        return now is not None and self.reservations is not None and self.reservations.on(EVSE, now) is not None

    def _start(self, at: str, reservation_id: int | None) -> Message:
        self.state = State.CHARGING
        self.sessions_started += 1
        self.meter_values_sent = 0
        self.seq_no = 0
        self._metered_at, self._energy_wh = parse_time(at), float(self.meter_wh)
        if self.version is OcppVersion.V16:
            self.transaction_id_16 = self.sessions_started  # replaced by the CSMS's id when it answers
            self._session_started(str(self.transaction_id_16))
            return messages.start_transaction(self.id_token, self.meter_wh, at, reservation_id)
        self.transaction_id = f"{self.station_id}-{self.sessions_started}"[-36:]
        self._session_started(self.transaction_id)
        return messages.transaction_event(
            "Started", self.transaction_id, self.seq_no, self.id_token, self.meter_wh, at, reservation_id=reservation_id
        )

    def _session_started(self, transaction_id: str) -> None:
        if self.profiles is not None and self._metered_at is not None:
            self.profiles.session_started(EVSE, transaction_id, self._metered_at)

    def _draw(self, at: str) -> Draw | None:
        """What the car draws now under the EVSE's limit; the energy meter advances by the power since the last
        reading. None without profiles (or a station time that does not parse)."""
        now = parse_time(at)
        if self.profiles is None or now is None:
            return None
        electrical = self.profiles.electrical
        limit = self.profiles.limit(EVSE, now)
        phases = min(self.car_phases, limit.phases)
        amps = min(self.car_max_current, electrical.max_current, electrical.amps(limit.watts, phases))
        draw = Draw(electrical.watts(amps, phases), amps, phases, limit.amps(electrical))
        if self._metered_at is not None and now > self._metered_at and self.last_draw is not None:
            self._energy_wh += self.last_draw.watts * (now - self._metered_at).total_seconds() / 3600
        self._metered_at, self.last_draw = now, draw
        return draw

    def _meter_values(self, at: str) -> Message:
        self.meter_values_sent += 1
        draw = self._draw(at)
        if draw is None:
            self.meter_wh += METER_STEP_WH
        else:
            self.meter_wh = round(self._energy_wh)
        if self.version is OcppVersion.V16:
            return messages.meter_values(self.transaction_id_16, self.meter_wh, at, draw)
        self.seq_no += 1
        return messages.transaction_event(
            "Updated", self.transaction_id, self.seq_no, self.id_token, self.meter_wh, at, draw
        )

    def _stop(self, at: str) -> Message:
        self.state = State.IDLE
        self.last_draw = None
        if self.profiles is not None:
            self.profiles.session_ended(EVSE)
        if self.version is OcppVersion.V16:
            return messages.stop_transaction(self.transaction_id_16, self.id_token, self.meter_wh, at)
        self.seq_no += 1
        return messages.transaction_event("Ended", self.transaction_id, self.seq_no, self.id_token, self.meter_wh, at)

    def on_result(self, payload: dict[str, Any]) -> None:
        """The CALLRESULT payload of the last message sent (not called on CALLERROR or timeout)."""
        if self._last == "Authorize" and self.state is State.AUTHORIZING:
            info = payload.get("idTagInfo") or payload.get("idTokenInfo") or {}
            group = info.get("parentIdTag") or (info.get("groupIdToken") or {}).get("idToken")
            self.group = group if isinstance(group, str) else None
            if info.get("status", "Accepted") != "Accepted":
                self.state = State.IDLE
        elif self._last == "StartTransaction" and isinstance(payload.get("transactionId"), int):
            self.transaction_id_16 = payload["transactionId"]
            self._session_started(str(self.transaction_id_16))
