"""A station's profile view folded from its events (oldest first): every profile request with its outcome (the
service's own request merged with device-model's record of the same command), the profiles installed (a
set-charging-profile the station accepted; a later accepted one with the same id, or the same EVSE, purpose and
stack level, replaces it; an accepted clear-charging-profile removes what it matches), the latest answered
composite schedule, the station's reports and its latest boot. Pure; no I/O."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from google.protobuf.timestamp_pb2 import Timestamp

from csms.smart_charging.v1 import smart_charging_pb2
from csms_smart_charging.domain.events import COMMAND_KEY_PREFIX

ACCEPTED = "accepted"
ANSWERED = "ANSWERED"
QUEUED = "QUEUED"


def _json(text: str) -> dict[str, Any]:
    try:
        value = json.loads(text or "{}")
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def _accepted(outcome: smart_charging_pb2.CommandOutcome) -> bool:
    return outcome.state == ANSWERED and _json(outcome.result_json).get("status") == ACCEPTED


def installed_profile(
    params: dict[str, Any], command_id: str, at: Timestamp
) -> smart_charging_pb2.InstalledProfile | None:
    """The profile a set-charging-profile's params install (None: params that name no profile)."""
    profile = params.get("profile")
    if not isinstance(profile, dict) or not isinstance(profile.get("id"), int):
        return None
    return smart_charging_pb2.InstalledProfile(
        evse_id=int(params.get("evse_id") or 0),
        profile_id=profile["id"],
        stack_level=int(profile.get("stack_level") or 0),
        purpose=str(profile.get("purpose") or ""),
        profile_json=json.dumps(profile, sort_keys=True),
        command_id=command_id,
        set_at=at,
    )


def _cleared_by(profile: smart_charging_pb2.InstalledProfile, criteria: dict[str, Any]) -> bool:
    """Whether a clear-charging-profile with these params clears the profile (no criteria: every profile)."""
    if criteria.get("id") is not None:
        return bool(profile.profile_id == criteria["id"])
    checks = (
        ("evse_id", profile.evse_id),
        ("purpose", profile.purpose),
        ("stack_level", profile.stack_level),
    )
    return all(criteria.get(name) is None or criteria[name] == value for name, value in checks)


@dataclass
class StationView:
    station_id: str
    requests: dict[str, smart_charging_pb2.ProfileRequestState] = field(default_factory=dict)
    installed: dict[int, smart_charging_pb2.InstalledProfile] = field(default_factory=dict)
    composite: tuple[str, str, Timestamp] | None = None
    reports: list[smart_charging_pb2.ReportSeen] = field(default_factory=list)
    booted_at: Timestamp | None = None

    def apply(self, event: smart_charging_pb2.SmartChargingEvent) -> None:
        which = event.WhichOneof("event")
        if which == "requested":
            self._requested(event.requested, event.recorded_at)
        elif which == "command_outcome":
            self._outcome(event.command_outcome, event.recorded_at)
        elif which == "reported":
            self.reports.append(smart_charging_pb2.ReportSeen(report=event.reported, recorded_at=event.recorded_at))
        elif which == "boot_seen":
            self.booted_at = event.recorded_at

    def _requested(self, request: smart_charging_pb2.ProfileRequested, at: Timestamp) -> None:
        known = self.requests.get(request.command_id)
        if known is None:
            self.requests[request.command_id] = smart_charging_pb2.ProfileRequestState(
                request=request, requested_at=at, state=QUEUED
            )
        elif not request.request_key.startswith(COMMAND_KEY_PREFIX):
            known.request.CopyFrom(request)

    def _outcome(self, outcome: smart_charging_pb2.CommandOutcome, at: Timestamp) -> None:
        state = self.requests.get(outcome.command_id)
        if state is None:
            return
        state.state, state.result_json, state.failure = outcome.state, outcome.result_json, outcome.failure
        if not _accepted(outcome) and not (outcome.state == ANSWERED and outcome.command == "get-composite-schedule"):
            return
        params = _json(state.request.params_json)
        if outcome.command == "set-charging-profile":
            profile = installed_profile(params, outcome.command_id, at)
            if profile is not None:
                self._install(profile)
        elif outcome.command == "clear-charging-profile":
            self.installed = {k: p for k, p in self.installed.items() if not _cleared_by(p, params)}
        elif outcome.command == "get-composite-schedule":
            self.composite = (state.request.params_json, outcome.result_json, at)

    def _install(self, profile: smart_charging_pb2.InstalledProfile) -> None:
        def same_slot(other: smart_charging_pb2.InstalledProfile) -> bool:
            return (other.evse_id, other.purpose, other.stack_level) == (
                profile.evse_id,
                profile.purpose,
                profile.stack_level,
            )

        self.installed = {k: p for k, p in self.installed.items() if k != profile.profile_id and not same_slot(p)}
        self.installed[profile.profile_id] = profile

    def message(self) -> smart_charging_pb2.StationChargingProfiles:
        found = smart_charging_pb2.StationChargingProfiles(
            station_id=self.station_id,
            installed=sorted(self.installed.values(), key=lambda p: (p.evse_id, p.purpose, p.stack_level)),
            requests=list(self.requests.values()),
            reports=self.reports,
        )
        if self.composite is not None:
            found.composite_params_json, found.composite_result_json = self.composite[:2]
            found.composite_at.CopyFrom(self.composite[2])
        if self.booted_at is not None:
            found.booted_at.CopyFrom(self.booted_at)
        return found


def station_view(station_id: str, events: Iterable[smart_charging_pb2.SmartChargingEvent]) -> StationView:
    view = StationView(station_id)
    for event in events:
        view.apply(event)
    return view
