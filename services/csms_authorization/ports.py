"""The ports of the authorization service: what its handlers and use cases need from the outside, as Protocols,
and the records they exchange. Implemented by the Cassandra/Kafka adapters and by the fakes of the unit tests.
No I/O.
"""

from __future__ import annotations

import enum
import uuid
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from google.protobuf.message import Message

from csms_authorization.domain.plug_and_charge import EvCertificateAnswer, EvCertificateRequest
from csms_authorization.domain.reservations import Reservation, ReservationStatus
from csms_authorization.domain.stations import Change, StationRecord
from csms_authorization.domain.tokens import TokenRecord


class StationRegistryRepository(Protocol):
    async def get(self, station_id: str) -> StationRecord | None: ...

    async def save(self, record: StationRecord, revision: int, event: PendingEvent | None = None) -> None:
        """Creates or replaces the station's record, written at `revision` (of concurrent changes the one with
        the highest revision stays), and queues its event in the same request when one is given."""

    async def delete(self, station_id: str, event: PendingEvent) -> None:
        """Removes the station's record and group membership and queues the event, in one request (written at
        the event's revision)."""

    async def claim_promotion(self, station_id: str, pending_revision: int, promotion: Change) -> bool:
        """True for the one caller, of every instance, that first claims this promotion (PASSWORD_ROTATED or
        SECURITY_PROFILE_UPGRADED) of the pending credentials set at `pending_revision`: two verifications at
        once promote once. A claim expires after `PROMOTION_CLAIM_TTL_S`, so a claimer that died before `promote`
        leaves the promotion to a later verification."""

    async def promote(
        self,
        record: StationRecord,
        promotions: Sequence[Change],
        revision: int,
        event: PendingEvent,
        security_events: Sequence[PendingEvent],
    ) -> None:
        """Writes what these promotions changed in the record (the password or the profile with its pending
        value, and `updated_at`; nothing else, so a concurrent change of other fields stays) at `revision`, and
        queues the station event and the security events (`csms.security.events.v1`) in the same request."""

    async def list_page(
        self, page_size: int, page_token: bytes | None, group: str | None = None
    ) -> tuple[list[StationRecord], bytes | None]:
        """One page of at most `page_size` stations (of `group` only, when given) in a stable order, and the
        token of the next page (None after the last). Every station present during the whole listing appears
        exactly once; a page may hold fewer stations while more follow."""

    async def set_group(self, station_id: str, group: str | None, revision: int) -> None:
        """Puts the station in `group` (None: in no group), leaving its previous group; written at `revision`."""

    async def groups(self, station_ids: Sequence[str]) -> dict[str, str]:
        """The group of each of these stations that has one."""

    async def stations_in_group(self, group: str) -> list[str]:
        """The ids of the group's stations, sorted."""


class TokenStore(Protocol):
    async def get(self, key: str) -> TokenRecord | None: ...

    async def save(self, record: TokenRecord, event: PendingEvent) -> None:
        """Creates or replaces the token with the record's key and queues its event, in one request; both are
        written at the event's revision, so of concurrent changes the one with the highest revision stays."""

    async def delete(self, key: str, event: PendingEvent) -> None:
        """Deletes the token and queues its event, in one request (written at the event's revision)."""

    async def list_page(self, page_size: int, page_token: bytes | None) -> tuple[list[TokenRecord], bytes | None]:
        """One page of at most `page_size` tokens in a stable order, and the token of the next page (None after
        the last). Every token present during the whole listing appears exactly once."""


@dataclass(frozen=True)
class ListEntry:
    changed_in: int
    # the token as it was when it entered, changed in or left the list
    token: TokenRecord
    # the token left the list
    removed: bool


@dataclass(frozen=True)
class ListSnapshot:
    """The list's version and every entry, removed ones included. An entry may be newer than `version` while a
    change is being recorded (never older): sending it is harmless, the next differential sends it again."""

    version: int
    entries: list[ListEntry]


@dataclass(frozen=True)
class StationListVersion:
    version: int
    recorded_at: datetime


class LocalListStore(Protocol):
    async def record_change(self, token: TokenRecord, in_list: bool) -> int:
        """Records the token's new list entry (`in_list` false: it left the list); returns the list version
        the change got."""

    async def snapshot(self) -> ListSnapshot:
        """The current list; version 0 when it never changed."""

    async def station_version(self, station_id: str) -> StationListVersion | None: ...

    async def record_station_version(self, station_id: str, version: int, at: datetime) -> None: ...


PROMOTION_CLAIM_TTL_S = 60

SHARDS = 8  # fixed: the events of one key must stay in one partition to keep their order


@dataclass(frozen=True, order=True)
class PendingEvent:
    """An event waiting in an outbox; ordered as the relay publishes: by shard, then revision."""

    shard: int
    revision: int
    event_id: uuid.UUID
    # the Kafka key: a token's key (token outbox) or a station id (station and security outboxes)
    key: str
    # the serialized event (`AuthorizationEvent`, `StationCredentialsChanged`, `SecurityEventRecorded`)
    event: bytes

    @classmethod
    def of(cls, key: str, revision: int, event: Message) -> PendingEvent:
        return cls(shard_of(key), revision, uuid.uuid4(), key, event.SerializeToString())


def shard_of(key: str) -> int:
    return zlib.crc32(key.encode()) % SHARDS


class ReservationStore(Protocol):
    async def of_station(self, station_id: str) -> list[Reservation]:
        """The station's reservations, whatever their status, by reservation id."""

    async def every(self, limit: int) -> list[Reservation]:
        """At most `limit` reservations of any station (a scan of the table: operators' listings only)."""

    async def create(self, reservation: Reservation) -> bool:
        """Inserts a new reservation; False when the station already has one with this id (nothing written)."""

    async def save(self, reservation: Reservation) -> None: ...

    async def set_status(self, station_id: str, reservation_id: int, status: ReservationStatus) -> bool:
        """Sets a known reservation's status; False when the station has no reservation with this id."""


class SendFailure(enum.Enum):
    UNKNOWN_STATION = "unknown station"
    OFFLINE = "station offline"
    # bad params, or a request the station's OCPP version cannot express
    INVALID = "invalid"
    # device-model down or overloaded: a later try may pass
    UNAVAILABLE = "unavailable"


class CommandNotSent(Exception):
    """Device-model did not send the command: `failure` says what kind of refusal, the message why."""

    def __init__(self, failure: SendFailure, message: str) -> None:
        super().__init__(message)
        self.failure = failure


class ReservationCommands(Protocol):
    async def send(
        self, station_id: str, command: str, params: dict[str, Any], idempotency_key: str, wait_s: float
    ) -> str | None:
        """Sends a device-model operator command now and waits up to `wait_s` for the station: the neutral answer's
        status (e.g. "accepted", "occupied"), None when the station did not answer (timeout, CALLERROR,
        disconnect). A repeat with the same key sends nothing more. CommandNotSent when it could not be sent."""


class ActiveSessions(Protocol):
    async def has_active(self, key: str) -> bool:
        """Whether the token with this key has a transaction that has not ended."""


class ContractProviderFailed(Exception):
    """The contract-certificate provider gave no usable answer: `reason` is the OCPP statusInfo reasonCode
    (at most 20 characters), the message the detail."""

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(detail)
        self.reason = reason


class ContractCertificateProvider(Protocol):
    async def request(self, request: EvCertificateRequest) -> EvCertificateAnswer:
        """Forwards the EV's certificate installation/update request; the provider's answer (Accepted with the
        EXI response, or its own Failed). Raises ContractProviderFailed when it cannot be asked or answers
        nonsense."""


class OcspUnavailable(Exception):
    """The OCSP responder could not be asked or answered no OCSP response (HTTP error, timeout, too large)."""


class OcspClient(Protocol):
    async def query(self, url: str, request_der: bytes) -> bytes:
        """POSTs an RFC 6960 request (application/ocsp-request) to the responder; its response body (DER).
        Raises OcspUnavailable."""
