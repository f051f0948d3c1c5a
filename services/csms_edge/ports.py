"""The ports of the edge node: what its connection handling needs from the outside, as Protocols, and the
values they exchange. Implemented by the adapters (Kafka frame log, gRPC station registry) and by the fakes of the
unit tests. No I/O.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from typing import Protocol

from csms.envelope.v1 import envelope_pb2
from csms.security.v1 import security_pb2


class FrameLog(Protocol):
    async def append(self, envelope: envelope_pb2.Envelope) -> None:
        """Returns once the record is durable; raises if it could not be written."""
        ...

    async def append_many(self, envelopes: Sequence[envelope_pb2.Envelope]) -> None:
        """Appends in order, batched; returns once all are durable; raises if any could not be written."""
        ...


class Verdict(enum.Enum):
    ACCEPTED = "accepted"
    UNKNOWN_STATION = "unknown_station"
    WRONG_PASSWORD = "wrong_password"
    # the password is right, but the station is disabled
    DISABLED = "disabled"
    # the connection proves a lower security profile than the station is registered at
    PROFILE_TOO_LOW = "profile_too_low"


class RegistryUnavailable(Exception):
    """The registry could not give a verdict (unreachable, timed out, or answered nonsense)."""


class StationRegistry(Protocol):
    async def verify(self, station_id: str, password: str, presented_profile: int = 1) -> Verdict:
        """The verdict on `password` ("" when none was sent) presented over a connection proving
        `presented_profile` (1 ws://, 2 TLS, 3 TLS with the station's own client certificate)."""
        ...


class BootStatusUnavailable(Exception):
    """The status of the station's last boot could not be read (device-model unreachable or timed out)."""


class BootStatuses(Protocol):
    async def last_status(self, station_id: str) -> str:
        """The status (Accepted, Pending, Rejected) the station's last BootNotification was answered with, on any
        connection of any node; "" when it never booted. Raises BootStatusUnavailable."""
        ...


class SecurityEvents(Protocol):
    def publish(self, event: security_pb2.SecurityEventRecorded) -> None:
        """Hands a CSMS security event to `csms.security.events.v1` without waiting (never blocks a handshake);
        when that is not possible the event stays in the log only."""
        ...


class VerdictCache(Protocol):
    def forget(self, station_id: str) -> None:
        """Drops the station's cached verdicts, and keeps the look-ups of the station in flight from caching
        theirs (they may have read the registry before the change)."""
