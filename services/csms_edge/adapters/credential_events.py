"""The station credential changes this node follows: `csms.authorization.station_credentials.v1`, written by
the authorization service's station outbox relay (docs/adr/0021).

`CredentialEventsConsumer` is given a consumer subscribed to the topic without a consumer group, so it is
assigned every partition (every node reads every event; nothing is committed). It starts at the end: a node
caches no verdict from before its start and holds no connection from then, so earlier changes do not concern
it. `start()` returns once the positions are resolved, so every change published after it is read. Each
`StationCredentialsChanged` is decoded and handed to `apply` (`app.credential_changes.CredentialChanges.apply`).
Network I/O (Kafka).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

from aiokafka import AIOKafkaConsumer
from aiokafka.errors import UnknownTopicOrPartitionError
from google.protobuf.message import DecodeError

from csms.authorization.v1 import authorization_pb2 as pb
from csms_edge.domain.credential_changes import CredentialChange, CredentialsChanged
from csms_kernel.infra import topics

log = logging.getLogger(__name__)

_CHANGES: dict[pb.StationChange.ValueType, CredentialChange] = {
    pb.STATION_CHANGE_REGISTERED: CredentialChange.REGISTERED,
    pb.STATION_CHANGE_DISABLED: CredentialChange.DISABLED,
    pb.STATION_CHANGE_ENABLED: CredentialChange.ENABLED,
    pb.STATION_CHANGE_DELETED: CredentialChange.DELETED,
    pb.STATION_CHANGE_PASSWORD_CHANGED: CredentialChange.PASSWORD_CHANGED,
    pb.STATION_CHANGE_SECURITY_PROFILE_CHANGED: CredentialChange.SECURITY_PROFILE_CHANGED,
    pb.STATION_CHANGE_PENDING_CREDENTIALS_CHANGED: CredentialChange.PENDING_CREDENTIALS_CHANGED,
    pb.STATION_CHANGE_PASSWORD_ROTATED: CredentialChange.PASSWORD_ROTATED,
    pb.STATION_CHANGE_SECURITY_PROFILE_UPGRADED: CredentialChange.SECURITY_PROFILE_UPGRADED,
}


class TopicMissing(RuntimeError):
    """The topic does not exist: `csms migrate` has not run."""


def decode(value: bytes | None) -> CredentialsChanged | None:
    """The change in a record, or None (logged) when it is not one; unknown change kinds are left out."""
    try:
        event = pb.StationCredentialsChanged.FromString(value or b"")
    except DecodeError:
        log.error("undecodable station credentials event dropped")
        return None
    if not event.station_id:
        log.error("station credentials event without a station id dropped")
        return None
    changes = frozenset(_CHANGES[c] for c in event.changes if c in _CHANGES)
    return CredentialsChanged(event.station_id, changes)


class CredentialEventsConsumer:
    def __init__(
        self,
        consumer: AIOKafkaConsumer,
        apply: Callable[[CredentialsChanged], None],
        *,
        poll_timeout_ms: int = 500,
    ) -> None:
        self._consumer = consumer
        self._apply = apply
        self._poll_timeout_ms = poll_timeout_ms

    async def start(self) -> None:
        """Starts the client (assigned every partition of its topic) and positions it at the end of each.
        Raises TopicMissing."""
        try:
            await self._consumer.start()
        except UnknownTopicOrPartitionError as exc:
            await self._consumer.stop()
            raise TopicMissing(f"topic {topics.STATION_CREDENTIALS} does not exist; run `csms migrate`") from exc
        try:
            assigned = sorted(self._consumer.assignment())
            await self._consumer.seek_to_end(*assigned)
            for tp in assigned:
                await self._consumer.position(tp)
        except BaseException:
            await self._consumer.stop()
            raise

    async def stop(self) -> None:
        await self._consumer.stop()

    async def run(self) -> None:
        """Reads and applies changes until cancelled."""
        while True:
            try:
                batches = await self._consumer.getmany(timeout_ms=self._poll_timeout_ms)
            except Exception:
                log.error("station credentials events: read failed; retrying in 1 s", exc_info=True)
                await asyncio.sleep(1.0)
                continue
            for records in batches.values():
                for record in records:
                    self._handle(record.value)

    def _handle(self, value: bytes | None) -> None:
        event = decode(value)
        if event is None:
            return
        try:
            self._apply(event)
        except Exception:
            log.exception("station %s: credentials change not applied", event.station_id)
