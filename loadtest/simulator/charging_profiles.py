"""A simulated station's smart charging: the CSMS's SetChargingProfile, ClearChargingProfile,
GetCompositeSchedule and (2.x) GetChargingProfiles, answered from the profiles it keeps per EVSE, and the limit
its meter values follow during a session (`composite.py` computes it).

Requests are read and answers built with the `ocpp` package's dataclasses of the station's version. 1.6 speaks
connectorId and ChargePointMaxProfile (kept as the 2.x ChargingStationMaxProfile); a profile carries one schedule
(2.x: the first of its schedules limits, the others are offers to an ISO 15118 car). Replacement: a profile with
the same id replaces the old one; 1.6 also replaces one of the same stack level and purpose on the same
connector, 2.x rejects it (DuplicateProfile) when their validity overlaps. A TxProfile needs a session on its
EVSE (and its transaction id, when given) and ends with it. GetChargingProfiles is answered, then the
matching profiles are sent in ReportChargingProfiles, one per EVSE (tbc on all but the last), source CSO.
Side effects: those CALLs, through the station's `Operations`.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from csms_kernel.ocpp.errors import OcppCallError
from csms_kernel.ocpp.payloads import to_payload, to_request
from csms_kernel.ocpp.versions import OcppVersion
from loadtest.simulator import composite
from loadtest.simulator.composite import (
    RECURRENCE_S,
    Electrical,
    InvalidProfile,
    Kind,
    Limit,
    Period,
    Profile,
    Purpose,
    Schedule,
    Session,
    Unit,
)
from loadtest.simulator.firmware import Operations, cancel_all, parse_time

Payload = dict[str, Any]
Start = Callable[[Operations], None]

_V16_STATION_MAX = "ChargePointMaxProfile"
_SUPPORTED_2X = {purpose.value for purpose in Purpose} - {Purpose.EXTERNAL.value}


def _purpose(value: object, version: OcppVersion) -> Purpose:
    if version is OcppVersion.V16 and value == _V16_STATION_MAX:
        return Purpose.STATION_MAX
    if version is not OcppVersion.V16 and value not in _SUPPORTED_2X:
        # ExternalConstraints are the station's own (K01.FR.22); 2.1 PriorityCharging/LocalGeneration not simulated
        raise InvalidProfile("UnsupportedPurpose")
    try:
        return Purpose(value)
    except ValueError:
        raise InvalidProfile("UnsupportedPurpose") from None


def _purpose_name(purpose: Purpose, version: OcppVersion) -> str:
    return _V16_STATION_MAX if version is OcppVersion.V16 and purpose is Purpose.STATION_MAX else purpose.value


def _time(value: object) -> datetime | None:
    if value is None:
        return None
    parsed = parse_time(value)
    if parsed is None:
        raise InvalidProfile("InvalidTime")
    return parsed


def parse_profile(data: Payload, evse_id: int, version: OcppVersion, installed_at: datetime) -> Profile:
    """A profile from the snake_case dict of the `ocpp` dataclass (1.6 csChargingProfiles, 2.x chargingProfile);
    `InvalidProfile` for one the station cannot take."""
    schedules = data.get("charging_schedule")
    schedule = schedules if version is OcppVersion.V16 else (schedules or [None])[0]
    if not isinstance(schedule, dict):
        raise InvalidProfile("NoSchedule")
    try:
        kind = Kind(data.get("charging_profile_kind"))
        unit = Unit(schedule.get("charging_rate_unit"))
    except ValueError:
        raise InvalidProfile("UnsupportedKind") from None
    periods = tuple(
        Period(int(period["start_period"]), float(period["limit"]), period.get("number_phases"))
        for period in schedule.get("charging_schedule_period") or []
        if "limit" in period
    )
    transaction_id = data.get("transaction_id")
    recurrency = data.get("recurrency_kind")
    return Profile(
        id=int(data["charging_profile_id" if version is OcppVersion.V16 else "id"]),
        stack_level=int(data["stack_level"]),
        purpose=_purpose(data.get("charging_profile_purpose"), version),
        kind=kind,
        schedule=Schedule(
            unit,
            periods,
            _time(schedule.get("start_schedule")),
            schedule.get("duration"),
            schedule.get("min_charging_rate"),
        ),
        evse_id=evse_id,
        installed_at=installed_at,
        recurrence_s=RECURRENCE_S.get(recurrency) if isinstance(recurrency, str) else None,
        valid_from=_time(data.get("valid_from")),
        valid_to=_time(data.get("valid_to")),
        transaction_id=None if transaction_id is None else str(transaction_id),
    )


def _overlap(a: Profile, b: Profile) -> bool:
    far = datetime.max.replace(tzinfo=UTC)
    near = datetime.min.replace(tzinfo=UTC)
    return (a.valid_from or near) < (b.valid_to or far) and (b.valid_from or near) < (a.valid_to or far)


@dataclass
class Installed:
    profile: Profile
    data: Payload  # as received (snake_case), for ReportChargingProfiles


@dataclass
class ChargingProfiles:
    """One station's installed profiles and sessions; `answer` a smart-charging CALL, `limit` for meter values."""

    version: OcppVersion
    evse_count: int = 1
    electrical: Electrical = field(default_factory=Electrical)
    installed: dict[int, Installed] = field(default_factory=dict)
    sessions: dict[int, Session] = field(default_factory=dict)
    _tasks: set[asyncio.Task[None]] = field(default_factory=set, repr=False)

    def session_started(self, evse_id: int, transaction_id: str, at: datetime) -> None:
        self.sessions[evse_id] = Session(transaction_id, at)

    def session_ended(self, evse_id: int) -> None:
        """The session on `evse_id` ended: its TxProfiles go with it."""
        self.sessions.pop(evse_id, None)
        for profile_id, entry in list(self.installed.items()):
            if entry.profile.purpose is Purpose.TX and entry.profile.evse_id == evse_id:
                del self.installed[profile_id]

    def profiles(self) -> list[Profile]:
        return [entry.profile for entry in self.installed.values()]

    def limit(self, evse_id: int, at: datetime) -> Limit:
        return composite.limit_at(self.profiles(), evse_id, at, self.sessions.get(evse_id), self.electrical)

    def answer(self, action: str, payload: Payload, at: str) -> tuple[Payload, Start] | None:
        """The CALLRESULT payload of a smart-charging CALL and what to do once it is sent, or None for an
        action this agent does not own."""
        handler = _HANDLERS.get(action)
        if handler is None or (action == "GetChargingProfiles" and self.version is OcppVersion.V16):
            return None
        now = parse_time(at) or datetime.now(UTC)
        try:
            request = to_request(getattr(self.version.call_module, action), payload)
        except OcppCallError:
            return None
        result, follow_ups = handler(self, request, now)
        answer = to_payload(getattr(self.version.call_result_module, action)(**result))
        return answer, self._sender(follow_ups)

    def _sender(self, calls: list[tuple[str, Payload]]) -> Start:
        def start(ops: Operations) -> None:
            if calls:
                task = asyncio.create_task(_send_all(ops, calls))
                self._tasks.add(task)
                task.add_done_callback(self._tasks.discard)

        return start

    async def stop(self) -> None:
        """Cancels the jobs under way (the run ends)."""
        await cancel_all(self._tasks)

    def install(self, profile: Profile, data: Payload) -> str | None:
        """Installs `profile`; the reason it is rejected, or None when accepted."""
        try:
            composite.check(profile, self.evse_count)
        except InvalidProfile as exc:
            return str(exc)
        if profile.purpose is Purpose.TX:
            session = self.sessions.get(profile.evse_id)
            if session is None:
                return "NoTransaction"
            if profile.transaction_id is not None and profile.transaction_id != session.transaction_id:
                return "UnknownTransaction"
        if self.version is not OcppVersion.V16 and profile.purpose is Purpose.TX and profile.transaction_id is None:
            return "TxWithoutTransaction"
        for other_id, entry in list(self.installed.items()):
            other = entry.profile
            same_slot = (other.evse_id, other.purpose, other.stack_level) == (
                profile.evse_id,
                profile.purpose,
                profile.stack_level,
            )
            if other_id == profile.id:
                continue
            if same_slot and self.version is OcppVersion.V16:
                del self.installed[other_id]
            elif same_slot and _overlap(other, profile):
                return "DuplicateProfile"
        self.installed[profile.id] = Installed(profile, data)
        return None

    def _set(self, request: Any, now: datetime) -> tuple[Payload, list[tuple[str, Payload]]]:
        v16 = self.version is OcppVersion.V16
        data = request.cs_charging_profiles if v16 else request.charging_profile
        evse_id = request.connector_id if v16 else request.evse_id
        try:
            reason = self.install(parse_profile(data, evse_id, self.version, now), data)
        except InvalidProfile as exc:
            reason = str(exc)
        except (KeyError, TypeError, ValueError):
            reason = "InvalidProfile"
        if reason is None:
            return {"status": "Accepted"}, []
        return {"status": "Rejected"} | ({} if v16 else {"status_info": {"reason_code": reason}}), []

    def _clear(self, request: Any, now: datetime) -> tuple[Payload, list[tuple[str, Payload]]]:
        if self.version is OcppVersion.V16:
            profile_id, criteria = (
                request.id,
                {
                    "evse_id": request.connector_id,
                    "charging_profile_purpose": request.charging_profile_purpose,
                    "stack_level": request.stack_level,
                },
            )
        else:
            profile_id, criteria = request.charging_profile_id, request.charging_profile_criteria or {}
        purpose = criteria.get("charging_profile_purpose")
        wanted = None if purpose is None else _purpose_or_none(purpose, self.version)
        removed = [
            key
            for key, entry in self.installed.items()
            if (
                key == profile_id
                if profile_id is not None
                else criteria.get("evse_id") in (None, entry.profile.evse_id)
                and (purpose is None or entry.profile.purpose is wanted)
                and criteria.get("stack_level") in (None, entry.profile.stack_level)
            )
        ]
        for key in removed:
            del self.installed[key]
        return {"status": "Accepted" if removed else "Unknown"}, []

    def _composite(self, request: Any, now: datetime) -> tuple[Payload, list[tuple[str, Payload]]]:
        v16 = self.version is OcppVersion.V16
        evse_id = request.connector_id if v16 else request.evse_id
        if not 0 <= evse_id <= self.evse_count or request.duration < 0:
            return {"status": "Rejected"}, []
        unit = Unit(request.charging_rate_unit or "A")
        periods = composite.composite(
            self.profiles(), evse_id, now, request.duration, unit, self.sessions.get(evse_id), self.electrical
        )
        rows = [{"start_period": p.start, "limit": p.limit, "number_phases": p.phases} for p in periods]
        start = now.isoformat(timespec="seconds").replace("+00:00", "Z")
        schedule = {"duration": request.duration, "charging_rate_unit": unit.value, "charging_schedule_period": rows}
        if v16:
            return {
                "status": "Accepted",
                "connector_id": evse_id,
                "schedule_start": start,
                "charging_schedule": schedule | {"start_schedule": start},
            }, []
        return {"status": "Accepted", "schedule": schedule | {"evse_id": evse_id, "schedule_start": start}}, []

    def _get(self, request: Any, now: datetime) -> tuple[Payload, list[tuple[str, Payload]]]:
        criteria = request.charging_profile or {}
        sources = criteria.get("charging_limit_source")
        ids = criteria.get("charging_profile_id")
        purpose = criteria.get("charging_profile_purpose")
        found = [
            entry
            for entry in self.installed.values()
            if request.evse_id in (None, entry.profile.evse_id)
            and (not ids or entry.profile.id in ids)
            and (purpose is None or entry.profile.purpose.value == purpose)
            and criteria.get("stack_level") in (None, entry.profile.stack_level)
            and (not sources or "CSO" in sources)
        ]
        if not found:
            return {"status": "NoProfiles"}, []
        evses = sorted({entry.profile.evse_id for entry in found})
        reports = [
            (
                "ReportChargingProfiles",
                to_payload(
                    self.version.call_module.ReportChargingProfiles(
                        request_id=request.request_id,
                        charging_limit_source="CSO",
                        evse_id=evse,
                        charging_profile=[entry.data for entry in found if entry.profile.evse_id == evse],
                        tbc=evse != evses[-1],
                    )
                ),
            )
            for evse in evses
        ]
        return {"status": "Accepted"}, reports


def _purpose_or_none(value: object, version: OcppVersion) -> Purpose | None:
    try:
        return _purpose(value, version)
    except InvalidProfile:
        return None


async def _send_all(ops: Operations, calls: list[tuple[str, Payload]]) -> None:
    for action, payload in calls:
        await ops.call(action, payload)


_HANDLERS: dict[str, Callable[[ChargingProfiles, Any, datetime], tuple[Payload, list[tuple[str, Payload]]]]] = {
    "SetChargingProfile": ChargingProfiles._set,
    "ClearChargingProfile": ChargingProfiles._clear,
    "GetCompositeSchedule": ChargingProfiles._composite,
    "GetChargingProfiles": ChargingProfiles._get,
}
