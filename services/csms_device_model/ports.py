"""The ports of the device-model service: what its use cases, API and policies need from the outside, and the
values they exchange. No I/O."""

from __future__ import annotations

import zlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

import grpc

from csms.device_model.v1 import device_model_pb2
from csms_device_model.domain.commands.credentials import CredentialChange
from csms_device_model.domain.commands.record import CommandRecord, CommandState
from csms_device_model.domain.presence import CloseOldConnection, Presence
from csms_device_model.domain.provisioning import BootPolicy
from csms_kernel.clients.station_calls import StationCallError


@dataclass(frozen=True)
class CallResult:
    message_id: str
    payload_json: str


@dataclass(frozen=True)
class CallErrorReply:
    message_id: str
    code: str
    description: str
    details_json: str


Outcome = CallResult | CallErrorReply


class StationsRepository(Protocol):
    async def presence(self, station_id: str) -> Presence | None: ...

    async def registration(self, station_id: str) -> str | None:
        """The registration status the station's last boot was answered with (None before its first boot)."""

    async def station(self, station_id: str) -> device_model_pb2.Station | None: ...

    async def stations(self, page_size: int, page_token: str) -> tuple[list[device_model_pb2.Station], str]: ...


class DisplayMessageReads(Protocol):
    async def display_messages(self, station_id: str) -> list[device_model_pb2.DisplayMessage]:
        """The messages the station shows as far as the CSMS knows, by id."""


class DataTransferReads(Protocol):
    async def data_transfers(
        self, station_id: str, page_size: int, page_token: str
    ) -> tuple[list[device_model_pb2.DataTransfer], str]:
        """A page of the station's DataTransfer log, newest first, and the next page's token ("" after the last).
        ValueError for a token it did not issue."""


class BootPolicyReader(Protocol):
    async def boot_policy(self, station_id: str) -> BootPolicy | None:
        """The station's policy (None: never set). The one read of a BootNotification: a single partition."""


class BootPolicies(BootPolicyReader, Protocol):
    """The boot policies operators set (Cassandra in production; docs/adr/0031)."""

    async def set_boot_policy(self, station_id: str, policy: BootPolicy, at: datetime) -> None:
        """Stores the station's policy, set at `at`."""

    async def boot_policy_set_at(self, station_id: str) -> tuple[BootPolicy, datetime] | None:
        """The station's policy and when it was set (None: never set)."""


@dataclass(frozen=True)
class Registration:
    """How the station's last boot was answered, and when."""

    status: str
    booted_at: datetime | None


class BootHistory(Protocol):
    """The boot history read model (`projections/boots.py`) and the last boot answer of a station."""

    async def registration(self, station_id: str) -> Registration | None: ...

    async def boots(
        self, station_id: str, page_size: int, page_token: str
    ) -> tuple[list[device_model_pb2.StationBoot], str]:
        """A page of the station's boots, newest first, and the next page's token ("" after the last).
        ValueError for a token it did not issue."""


class EdgeNodeCalls(Protocol):
    """Sends a CALL through the edge node that holds the connection (gRPC EdgeService in production).

    Raises StationOffline (connection not there / node unreachable), CallTimedOut, StationBusy, CallFailed.
    """

    async def send_call(
        self, presence: Presence, station_id: str, action: str, payload_json: str, timeout_s: float
    ) -> Outcome: ...


class CredentialsRefused(StationCallError):
    """The station registry refused a credential change (unknown station: NOT_FOUND; a rule: INVALID_ARGUMENT)."""

    default_status = grpc.StatusCode.INVALID_ARGUMENT


class CredentialsUnavailable(StationCallError):
    """The station registry could not be asked."""

    default_status = grpc.StatusCode.UNAVAILABLE


class StationCredentials(Protocol):
    """The station registry's credentials (the authorization service's UpdateStation in production): the pending
    password / security profile the station may connect with besides its current one (docs/adr/0024).
    Raises CredentialsRefused, CredentialsUnavailable."""

    async def registered_profile(self, station_id: str) -> int:
        """The security profile the station is registered at."""

    async def set_pending(self, station_id: str, change: CredentialChange) -> None:
        """Registers the change's password and/or profile as pending."""

    async def cancel_pending(self, station_id: str, change: CredentialChange) -> None:
        """Cancels the pending password and/or profile the change set."""


class QueuedDeliveries(Protocol):
    def trigger(self, station_id: str) -> None:
        """Delivers the station's queued commands in the background, if it is connected and accepted."""


class ConnectionCloser(Protocol):
    async def close(self, station_id: str, old: CloseOldConnection) -> None: ...


SHARDS = 8  # fixed: a station's command events must stay in one outbox partition to keep their order


def shard_of(station_id: str) -> int:
    return zlib.crc32(station_id.encode()) % SHARDS


RANKS: dict[CommandState, int] = {state: rank for rank, state in enumerate(CommandState)}
"""A command's outbox rows in the order of its states: queued 0, sent 1, answered 2, failed 3, expired 4."""


@dataclass(frozen=True, order=True)
class PendingCommandEvent:
    """A command event ready to publish (its state reached); ordered as the relay publishes, as the outbox keeps
    them: by shard, then command (in creation order), then state."""

    shard: int
    created_us: int
    command_id: str
    rank: int
    station_id: str = field(compare=False)
    # a serialized `DeviceModelEvent`
    event: bytes = field(compare=False)

    @property
    def key(self) -> str:
        """Its Kafka key: the station id."""
        return self.station_id


@dataclass(frozen=True)
class OpenCommand:
    command_id: str
    station_id: str


class CommandExists(ValueError):
    """A record with the new record's command id exists already."""


class CommandStore(Protocol):
    """Command records and their indexes (Cassandra in production). Every change of a record's state is a
    compare-and-set on its state, so it happens once whoever tries it; each is preceded by its outbox row."""

    async def create(self, record: CommandRecord) -> None:
        """Stores a new record (CommandExists if its id is taken), then indexes it: the station's commands, the
        open commands, the station's queue (queue_if_offline) and the outbox row of its queued event."""

    async def index(self, record: CommandRecord) -> None:
        """Writes the indexes of a new record again (idempotent), for a creation that may have stopped between
        the record and its indexes."""

    async def get(self, command_id: str) -> CommandRecord | None: ...

    async def change(self, before: CommandState, after: CommandRecord) -> bool:
        """Stores `after` if the record is still in state `before`; whether it was."""

    async def finish(self, record: CommandRecord) -> None:
        """Takes a finished command out of the open commands and its station's queue."""

    async def station_commands(
        self, station_id: str, page_size: int, page_token: str
    ) -> tuple[list[CommandRecord], str]:
        """A page of the station's commands, newest first, and the next page's token ("" after the last).
        ValueError for a token it did not issue."""

    async def queued(self, station_id: str) -> list[str]:
        """The ids in the station's queue, oldest first."""

    async def open_commands(self) -> Sequence[OpenCommand]:
        """Every command not known to be finished."""


class PeriodicStreams(Protocol):
    """The OCPP 2.1 periodic event streams read model (docs/adr/0035)."""

    async def streams(self, station_id: str) -> list[device_model_pb2.PeriodicStream]: ...

    async def values(
        self, station_id: str, stream_id: int, since: datetime, until: datetime, limit: int
    ) -> list[device_model_pb2.PeriodicStreamValue]:
        """Oldest first, sampled in [since, until), at most `limit`."""
        ...


@dataclass(frozen=True)
class VariableFilter:
    """Which inventory entries to read: each given field must match exactly (None / '' matches everything)."""

    component: str = ""
    variable: str = ""
    evse_id: int | None = None
    attribute_type: str = ""


class DeviceModelInventory(Protocol):
    """The device model inventory read models (docs/adr/0032)."""

    async def variables(
        self, station_id: str, where: VariableFilter, page_size: int, page_token: str
    ) -> tuple[list[device_model_pb2.DeviceVariable], str]:
        """A page of the station's variable attributes in key order and the next page's token ('' at the end).
        ValueError for a page token not issued here."""

    async def reports(self, station_id: str) -> list[device_model_pb2.Report]:
        """The station's reports with their progress, newest first."""


@dataclass(frozen=True)
class EventPosition:
    """Where a page of a station's events ends: the last event's key (its timestamp, eventId, cleared)."""

    occurred_at: datetime
    event_id: int
    cleared: bool


@dataclass(frozen=True)
class ReportPart:
    """A stored part of a station's report (NotifyMonitoringReport: `count` monitors; NotifyCustomerInformation:
    its `data`)."""

    request_id: int
    seq_no: int
    tbc: bool
    generated_at: datetime | None
    received_at: datetime | None
    count: int = 0
    data: str = ""


class MonitoringReads(Protocol):
    """The monitoring and station event read models (Cassandra in production; docs/adr/0033)."""

    async def station_events(
        self, station_id: str, limit: int, after: EventPosition | None, since: datetime | None
    ) -> list[device_model_pb2.StationEvent]:
        """Up to `limit` of the station's events, newest first (by the station's timestamp), after `after`, at or
        after `since`; the severity left as the event gave it."""

    async def monitors(self, station_id: str) -> list[device_model_pb2.Monitor]: ...

    async def monitoring_report_parts(self, station_id: str) -> list[ReportPart]: ...

    async def customer_information_parts(self, station_id: str, request_id: int) -> list[ReportPart]:
        """The parts in seqNo order."""
