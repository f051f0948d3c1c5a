"""Reading a station's monitoring state and event log (docs/adr/0033): pages of events with filters (the severity
of a 2.0.1 event is its monitor's, looked up in the station's monitors), the monitors with the progress of each
monitoring report, and a customer information report assembled from its parts. Reads through `MonitoringReads`
only."""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from csms.device_model.v1 import device_model_pb2
from csms_device_model.domain.report_parts import Part, progress
from csms_device_model.ports import EventPosition, MonitoringReads, ReportPart
from csms_kernel.infra.envelopes import timestamp

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
# How many rows one page reads at most while filters leave events out (the page then has fewer events and a token).
SCAN_FACTOR = 4


@dataclass(frozen=True)
class EventFilters:
    since: datetime | None = None
    cleared: bool | None = None
    max_severity: int | None = None

    @property
    def any(self) -> bool:
        return self.cleared is not None or self.max_severity is not None


class UnknownReport(LookupError):
    """No part of that report has arrived."""


class StationMonitoring:
    def __init__(self, reads: MonitoringReads) -> None:
        self._reads = reads

    async def events(
        self, station_id: str, page_size: int, page_token: str, filters: EventFilters
    ) -> tuple[list[device_model_pb2.StationEvent], str]:
        """A page of the station's events, newest first, and the next page's token ("" after the last). With
        `cleared` or `max_severity` a page may hold fewer than `page_size` events and still have a next one.
        ValueError for a token it did not issue."""
        after = decode_position(page_token) if page_token else None
        limit = page_size * SCAN_FACTOR if filters.any else page_size
        rows = await self._reads.station_events(station_id, limit, after, filters.since)
        severities = await self._monitor_severities(station_id, rows)
        kept: list[device_model_pb2.StationEvent] = []
        last: device_model_pb2.StationEvent | None = None
        for row in rows:
            if len(kept) == page_size:
                break
            last = row
            if not row.HasField("severity") and row.event.variable_monitoring_id in severities:
                row.severity = severities[row.event.variable_monitoring_id]
            if _matches(row, filters):
                kept.append(row)
        more = last is not None and (len(rows) == limit or last is not rows[-1])
        return kept, encode_position(last) if more and last is not None else ""

    async def _monitor_severities(self, station_id: str, rows: list[device_model_pb2.StationEvent]) -> dict[int, int]:
        if not any(row.event.HasField("variable_monitoring_id") and not row.HasField("severity") for row in rows):
            return {}
        return {m.monitor.id: m.monitor.severity for m in await self._reads.monitors(station_id)}

    async def monitors(
        self, station_id: str
    ) -> tuple[list[device_model_pb2.Monitor], list[device_model_pb2.MonitoringReportProgress]]:
        monitors = await self._reads.monitors(station_id)
        parts = await self._reads.monitoring_report_parts(station_id)
        by_request: dict[int, list[ReportPart]] = {}
        for part in parts:
            by_request.setdefault(part.request_id, []).append(part)
        reports = []
        for request_id, found in sorted(by_request.items()):
            made = progress(Part(p.seq_no, p.tbc) for p in found)
            report = device_model_pb2.MonitoringReportProgress(
                request_id=request_id,
                status=made.status,
                parts_received=made.parts_received,
                missing_seq_nos=made.missing,
                monitors=sum(p.count for p in found),
            )
            updated = max((p.received_at for p in found if p.received_at is not None), default=None)
            if updated is not None:
                report.updated_at.CopyFrom(timestamp(updated))
            reports.append(report)
        return monitors, reports

    async def customer_information(
        self, station_id: str, request_id: int
    ) -> device_model_pb2.GetCustomerInformationResponse:
        """The report so far: the data of the parts received in seqNo order. Raises UnknownReport."""
        parts = sorted(
            await self._reads.customer_information_parts(station_id, request_id), key=lambda part: part.seq_no
        )
        if not parts:
            raise UnknownReport(f"no customer information part of request {request_id} from station {station_id}")
        made = progress(Part(p.seq_no, p.tbc) for p in parts)
        found = device_model_pb2.GetCustomerInformationResponse(
            station_id=station_id,
            request_id=request_id,
            status=made.status,
            data="".join(part.data for part in parts),
            parts_received=made.parts_received,
            missing_seq_nos=made.missing,
        )
        generated = min((p.generated_at for p in parts if p.generated_at is not None), default=None)
        updated = max((p.received_at for p in parts if p.received_at is not None), default=None)
        if generated is not None:
            found.generated_at.CopyFrom(timestamp(generated))
        if updated is not None:
            found.updated_at.CopyFrom(timestamp(updated))
        return found


def _matches(row: device_model_pb2.StationEvent, filters: EventFilters) -> bool:
    if filters.cleared is not None and row.event.cleared != filters.cleared:
        return False
    if filters.max_severity is not None:
        return row.HasField("severity") and row.severity <= filters.max_severity
    return True


def encode_position(row: device_model_pb2.StationEvent) -> str:
    """The token of the page after `row`: its key, so a token can only name a position, never a paging state."""
    key = [row.event.timestamp.ToMilliseconds(), row.event.event_id, row.event.cleared]
    return base64.urlsafe_b64encode(json.dumps(key).encode()).decode()


def decode_position(token: str) -> EventPosition:
    try:
        millis, event_id, cleared = json.loads(base64.urlsafe_b64decode(token.encode()))
        if not (isinstance(millis, int) and isinstance(event_id, int) and isinstance(cleared, bool)):
            raise ValueError("not a position")
        return EventPosition(EPOCH + timedelta(milliseconds=millis), event_id, cleared)
    except (ValueError, TypeError) as exc:
        raise ValueError("invalid page_token") from exc
