"""In-memory fakes of the security service's ports, for unit tests."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from csms.security.v1 import security_pb2
from csms_security.domain.authority import Issued
from csms_security.ports import CommandFailed, RenewalCandidate, SigningRequest


@dataclass
class InMemoryCertificateStore:
    """Requests, their certificates (set once) and each station's newest ChargingStationCertificate."""

    requests: dict[str, SigningRequest] = field(default_factory=dict)
    pending_ids: list[str] = field(default_factory=list)
    issued: dict[str, Issued] = field(default_factory=dict)
    requested: dict[str, tuple[str, datetime]] = field(default_factory=dict)
    handed_over: dict[str, datetime] = field(default_factory=dict)

    async def record(self, request: SigningRequest) -> None:
        self.requests.setdefault(request.request_id, request)
        if request.request_id not in self.handed_over and request.request_id not in self.pending_ids:
            self.pending_ids.append(request.request_id)

    async def pending(self, received_before: datetime) -> list[SigningRequest]:
        return [self.requests[i] for i in self.pending_ids if self.requests[i].requested_at < received_before]

    async def issue_once(self, issued: Issued) -> Issued:
        return self.issued.setdefault(issued.request_id, issued)

    async def issued_for(self, request_id: str) -> Issued | None:
        return self.issued.get(request_id)

    async def done(self, request: SigningRequest, at: datetime) -> None:
        self.handed_over[request.request_id] = at
        if request.request_id in self.pending_ids:
            self.pending_ids.remove(request.request_id)

    async def station_certificates(self, station_id: str) -> list[security_pb2.IssuedCertificate]:
        mine = [issued for issued in self.issued.values() if issued.station_id == station_id]
        return [issued.message() for issued in sorted(mine, key=lambda i: i.issued_at, reverse=True)]

    async def renewal_candidates(self) -> list[RenewalCandidate]:
        newest: dict[str, Issued] = {}
        for issued in sorted(self.issued.values(), key=lambda i: i.issued_at):
            if issued.renewable:
                newest[issued.station_id] = issued
        candidates = []
        for station_id, issued in newest.items():
            serial, at = self.requested.get(station_id, (None, None))
            candidates.append(RenewalCandidate(station_id, issued.serial_number, issued.not_after, serial, at))
        return candidates

    async def renewal_requested(self, station_id: str, serial_number: str, at: datetime) -> None:
        self.requested[station_id] = (serial_number, at)


@dataclass
class RecordingCommands:
    """Records every command; `failures` are raised, in order, before any command is recorded."""

    sent: list[tuple[str, str, dict[str, Any], datetime]] = field(default_factory=list)
    keys: list[str] = field(default_factory=list)
    failures: list[CommandFailed] = field(default_factory=list)

    async def send(
        self, station_id: str, command: str, params: Mapping[str, Any], expires_at: datetime, idempotency_key: str
    ) -> str:
        if self.failures:
            raise self.failures.pop(0)
        self.sent.append((station_id, command, dict(params), expires_at))
        self.keys.append(idempotency_key)
        return f"command-{len(self.sent)}"


@dataclass
class RecordingEventPublisher:
    published: list[security_pb2.SecurityEventRecorded] = field(default_factory=list)

    async def publish(self, records: Sequence[security_pb2.SecurityEventRecorded]) -> None:
        self.published.extend(records)


@dataclass
class ListedEvents:
    """A log that returns `log` (newest first) in pages of the size asked; the token is the next index."""

    log: list[security_pb2.SecurityEvent] = field(default_factory=list)

    async def events(
        self, station_id: str, page_size: int, page_token: str
    ) -> tuple[list[security_pb2.SecurityEvent], str]:
        if page_token and not page_token.isdigit():
            raise ValueError("invalid page token")
        start = int(page_token or 0)
        mine = [e for e in self.log if not station_id or e.station_id == station_id]
        page = mine[start : start + page_size]
        return page, str(start + page_size) if start + page_size < len(mine) else ""
