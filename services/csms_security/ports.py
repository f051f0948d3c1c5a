"""The security service's ports: what its use cases need from storage, device-model and Kafka (Protocols; the
Cassandra, gRPC and Kafka adapters are in adapters/, the fakes in tests/unit/security/fakes.py)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from csms.security.v1 import security_pb2
from csms_security.domain.authority import Issued


@dataclass(frozen=True)
class SigningRequest:
    """A CSR the station CA accepted to sign (SignCertificate answered Accepted); `request_id` is derived from the
    CALL, so the same CALL handled again names the same request."""

    request_id: str
    station_id: str
    certificate_type: str
    csr_pem: str
    requested_at: datetime
    # 2.1: the station's requestId, repeated in CertificateSigned.
    ocpp_request_id: int | None = None


@dataclass(frozen=True)
class RenewalCandidate:
    """A station's newest ChargingStationCertificate and when its renewal was last asked for."""

    station_id: str
    serial_number: str
    not_after: datetime
    requested_serial: str | None
    requested_at: datetime | None


class SigningRequests(Protocol):
    async def record(self, request: SigningRequest) -> None:
        """Stores the request as pending (idempotent: the same request recorded again changes nothing, and is not
        pending again once its certificate was handed over)."""

    async def pending(self, received_before: datetime) -> list[SigningRequest]:
        """Requests received before that time whose certificate was not sent yet, oldest first per shard."""

    async def issue_once(self, issued: Issued) -> Issued:
        """Stores `issued` as the request's certificate unless one is stored already; returns the stored one."""

    async def issued_for(self, request_id: str) -> Issued | None: ...

    async def done(self, request: SigningRequest, at: datetime) -> None:
        """The request's certificate was handed to device-model at `at`: it is no longer pending, for good."""


class IssuedCertificates(Protocol):
    async def station_certificates(self, station_id: str) -> list[security_pb2.IssuedCertificate]:
        """The certificates issued to the station, newest first."""

    async def renewal_candidates(self) -> list[RenewalCandidate]:
        """The newest ChargingStationCertificate of every station that has one."""

    async def renewal_requested(self, station_id: str, serial_number: str, at: datetime) -> None: ...


class CertificateStore(SigningRequests, IssuedCertificates, Protocol):
    """Both certificate ports, kept in one store (adapters/certificate_store.py)."""


class SecurityEventLog(Protocol):
    async def events(
        self, station_id: str, page_size: int, page_token: str
    ) -> tuple[list[security_pb2.SecurityEvent], str]:
        """A page of events, newest first, of one station or (empty id) of all; ValueError for a bad token."""


class SecurityEventPublisher(Protocol):
    async def publish(self, records: Sequence[security_pb2.SecurityEventRecorded]) -> None:
        """Appends the records to csms.security.events.v1 (acknowledged by Kafka when it returns)."""


class CommandFailed(Exception):
    """Device-model did not record the command; `retryable`: it may succeed later."""

    def __init__(self, message: str, *, retryable: bool) -> None:
        super().__init__(message)
        self.retryable = retryable


class StationCommands(Protocol):
    async def send(
        self, station_id: str, command: str, params: Mapping[str, Any], expires_at: datetime, idempotency_key: str
    ) -> str:
        """Records a device-model command for the station (sent now or once it connects, until `expires_at`) and
        returns its id; a repeat with the same `idempotency_key` gets the same command, never a second one.
        CommandFailed when device-model refuses or cannot be reached."""
