"""A station's firmware history, folded from its events (what the read model keeps, in any order): every request
with the device-model outcome of its command and the statuses the station reported for it, the boots with their
firmware versions, and the reports that match no request. Pure, no I/O.

A report names its request by requestId (2.x, 1.6 SignedFirmwareStatusNotification and LogStatusNotification);
1.6 FirmwareStatusNotification and DiagnosticsStatusNotification carry none and belong to the latest request of
their kind recorded before them. A report whose request is unknown is kept as unmatched; one without a request
(2.x Idle) as a station report. A firmware update succeeded when the station booted after reporting Installed
(the first boot after it): `booted_version` is that boot's firmware version, `new_version_booted` whether it
differs from the version of the last boot before the request (true when no boot was seen before). Requests are
one per device-model command: one seen only as a queued command (sent as a plain operator command) takes the
firmware service's request of the same command when both are there.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from csms.firmware.v1 import firmware_pb2
from csms_firmware.domain.events import COMMAND_KEY_PREFIX

FIRMWARE_UPDATE = firmware_pb2.REQUEST_KIND_FIRMWARE_UPDATE
LOG_UPLOAD = firmware_pb2.REQUEST_KIND_LOG_UPLOAD
FIRMWARE_PUBLISH = firmware_pb2.REQUEST_KIND_FIRMWARE_PUBLISH
INSTALLED = "Installed"
GET_DIAGNOSTICS = "get-diagnostics"

# The request kind each report kind belongs to.
_REQUEST_KIND = {
    firmware_pb2.REPORT_KIND_FIRMWARE: FIRMWARE_UPDATE,
    firmware_pb2.REPORT_KIND_LOG: LOG_UPLOAD,
    firmware_pb2.REPORT_KIND_DIAGNOSTICS: LOG_UPLOAD,
    firmware_pb2.REPORT_KIND_PUBLISH: FIRMWARE_PUBLISH,
}


@dataclass
class StationHistory:
    """Requests of each kind, newest first; boots newest first; reports matching no request, oldest first."""

    requests: dict[int, list[firmware_pb2.RequestHistory]] = field(default_factory=dict)
    boots: list[firmware_pb2.BootEntry] = field(default_factory=list)
    unmatched: list[firmware_pb2.UnmatchedReport] = field(default_factory=list)
    station_reports: list[firmware_pb2.UnmatchedReport] = field(default_factory=list)

    def of_kind(self, kind: int) -> list[firmware_pb2.RequestHistory]:
        return self.requests.get(kind, [])

    def unmatched_of(self, kind: int) -> list[firmware_pb2.UnmatchedReport]:
        return [r for r in self.unmatched if _REQUEST_KIND.get(r.report.kind) == kind]

    def reports_of(self, kind: int) -> list[firmware_pb2.UnmatchedReport]:
        return [r for r in self.station_reports if _REQUEST_KIND.get(r.report.kind) == kind]

    @property
    def installed_version(self) -> str:
        return self.boots[0].firmware_version if self.boots else ""

    def firmware(self) -> firmware_pb2.GetStationFirmwareResponse:
        updates = self.of_kind(FIRMWARE_UPDATE)
        response = firmware_pb2.GetStationFirmwareResponse(
            updates=updates,
            boots=self.boots,
            installed_version=self.installed_version,
            unmatched=self.unmatched_of(FIRMWARE_UPDATE),
            station_reports=self.reports_of(FIRMWARE_UPDATE),
        )
        if updates:
            response.current.CopyFrom(updates[0])
        return response


def _order(event: firmware_pb2.FirmwareEvent) -> tuple[int, int, str]:
    return (event.recorded_at.seconds, event.recorded_at.nanos, event.event_id)


def station_history(events: Iterable[firmware_pb2.FirmwareEvent]) -> StationHistory:
    history = StationHistory()
    requests: dict[str, firmware_pb2.RequestHistory] = {}  # by command id
    by_request_id: dict[tuple[int, int], str] = {}
    latest: dict[tuple[int, bool], str] = {}  # (request kind, get-diagnostics) → command id
    version_before: dict[str, str] = {}
    awaiting_boot: set[str] = set()  # firmware updates that reported Installed and have not booted since
    seen: set[str] = set()
    for event in sorted(events, key=_order):
        if event.event_id in seen:
            continue
        seen.add(event.event_id)
        which = event.WhichOneof("event")
        if which == "requested":
            _requested(history, requests, event)
            request = event.requested
            command_id = request.command_id
            if request.ocpp_request_id:
                by_request_id[(request.kind, request.ocpp_request_id)] = command_id
            latest[(request.kind, request.command == GET_DIAGNOSTICS)] = command_id
            version_before.setdefault(command_id, history.installed_version)
        elif which == "command_outcome":
            found = requests.get(event.command_outcome.command_id)
            if found is not None:
                found.command_outcome.CopyFrom(event.command_outcome)
        elif which == "status_reported":
            report = event.status_reported
            kind = _REQUEST_KIND.get(report.kind, 0)
            listed = firmware_pb2.UnmatchedReport(report=report)
            listed.recorded_at.CopyFrom(event.recorded_at)
            if report.has_request_id:
                target = by_request_id.get((kind, report.ocpp_request_id))
            elif report.belongs_to_latest:
                target = latest.get((kind, report.kind == firmware_pb2.REPORT_KIND_DIAGNOSTICS))
            else:
                history.station_reports.append(listed)
                continue
            if target is None:
                history.unmatched.append(listed)
                continue
            entry = requests[target]
            status = entry.statuses.add(
                status=report.status,
                action=report.action,
                reason_code=report.reason_code,
                additional_info=report.additional_info,
            )
            status.recorded_at.CopyFrom(event.recorded_at)
            entry.last_status = report.status
            if kind == FIRMWARE_UPDATE and report.status == INSTALLED and not entry.booted_version:
                awaiting_boot.add(target)
        elif which == "boot_seen":
            boot = firmware_pb2.BootEntry(
                firmware_version=event.boot_seen.firmware_version, reason=event.boot_seen.reason
            )
            boot.booted_at.CopyFrom(event.recorded_at)
            history.boots.insert(0, boot)
            for command_id in sorted(awaiting_boot):
                entry = requests[command_id]
                before = version_before[command_id]
                entry.booted_version = boot.firmware_version
                entry.new_version_booted = not before or boot.firmware_version != before
            awaiting_boot.clear()
    for listed_requests in history.requests.values():
        listed_requests.reverse()
    return history


def _requested(
    history: StationHistory, requests: dict[str, firmware_pb2.RequestHistory], event: firmware_pb2.FirmwareEvent
) -> None:
    """A request entry for the command, once: the firmware service's request replaces one seen only as a
    device-model command (the same command), never the other way round."""
    request = event.requested
    known = requests.get(request.command_id)
    if known is None:
        entry = firmware_pb2.RequestHistory(station_id=event.station_id, request=request)
        entry.requested_at.CopyFrom(event.recorded_at)
        requests[request.command_id] = entry
        history.requests.setdefault(request.kind, []).append(entry)
    elif not request.request_key.startswith(COMMAND_KEY_PREFIX):
        known.request.CopyFrom(request)
