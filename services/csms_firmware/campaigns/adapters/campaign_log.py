"""The `CampaignLog` port: events appended to csms.firmware.campaigns.v1 (key = campaign id, header
`event_type`) through the long-lived idempotent producer given (acks=all; Kafka failing is
`EventLogUnavailable`), read back from the campaigns read model in Cassandra. Network I/O only."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import datetime

from aiokafka import AIOKafkaProducer
from aiokafka.errors import KafkaError

from csms.firmware.v1 import firmware_pb2
from csms_firmware.campaigns.domain.campaign import Event
from csms_firmware.campaigns.domain.messages import from_message, to_message
from csms_firmware.campaigns.projections.campaigns import BUCKET
from csms_firmware.projections.tables import KEYSPACE
from csms_kernel.infra.cassandra import CassandraSession
from csms_kernel.infra.topics import FIRMWARE_CAMPAIGNS
from csms_kernel.outbox.relay import EventLogUnavailable

_HEADERS = [("event_type", firmware_pb2.CampaignEvent.DESCRIPTOR.full_name.encode())]
_ALL = "SELECT event FROM {ks}.campaign_events WHERE campaign_id = ?"
_SINCE = "SELECT event FROM {ks}.campaign_events WHERE campaign_id = ? AND recorded_at >= ?"
_LIST = "SELECT campaign_id, over FROM {ks}.campaigns WHERE bucket = ?"


class KafkaCampaignLog:
    def __init__(self, producer: AIOKafkaProducer, session: CassandraSession, keyspace: str = KEYSPACE) -> None:
        self._producer = producer
        self._session = session
        self._keyspace = keyspace

    async def append(self, events: Sequence[Event]) -> None:
        try:
            sent = [
                await self._producer.send(
                    FIRMWARE_CAMPAIGNS,
                    to_message(event).SerializeToString(),
                    key=event.campaign_id.encode(),
                    headers=_HEADERS,
                )
                for event in events
            ]
            await asyncio.gather(*sent)
        except KafkaError as exc:
            raise EventLogUnavailable(f"{FIRMWARE_CAMPAIGNS}: {exc!r}") from exc

    async def load(self, campaign_id: str, since: datetime | None = None) -> list[Event]:
        if since is None:
            statement = await self._session.prepare(_ALL.format(ks=self._keyspace), idempotent=True)
            rows = await self._session.execute(statement, (campaign_id,))
        else:
            statement = await self._session.prepare(_SINCE.format(ks=self._keyspace), idempotent=True)
            rows = await self._session.execute(statement, (campaign_id, since))
        return [from_message(firmware_pb2.CampaignEvent.FromString(row["event"])) for row in rows]

    async def listed(self) -> list[tuple[str, bool]]:
        """Every campaign id with whether it is over (aborted or completed), oldest id order."""
        statement = await self._session.prepare(_LIST.format(ks=self._keyspace), idempotent=True)
        rows = await self._session.execute(statement, (BUCKET,))
        return [(str(row["campaign_id"]), bool(row["over"])) for row in rows]

    async def active(self) -> list[str]:
        return [campaign_id for campaign_id, over in await self.listed() if not over]
