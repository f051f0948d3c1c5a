"""The `CampaignLog` port: events appended to csms.firmware.campaigns.v1 (key = campaign id, header
`event_type`) through the long-lived idempotent producer given (acks=all; Kafka failing is
`EventLogUnavailable`), read back from the campaigns read model in Cassandra (events, summaries, stations paged);
a new campaign's read model written at once with the projection's own writes. Network I/O only."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import datetime

from aiokafka import AIOKafkaProducer
from aiokafka.errors import KafkaError

from csms.firmware.v1 import firmware_pb2
from csms_firmware.campaigns.domain.campaign import Event, rebuild
from csms_firmware.campaigns.domain.messages import from_message, to_message
from csms_firmware.campaigns.projections.campaigns import BUCKET, event_writes, summary_writes
from csms_firmware.projections.tables import KEYSPACE
from csms_kernel.infra.cassandra import CassandraSession
from csms_kernel.infra.topics import FIRMWARE_CAMPAIGNS
from csms_kernel.outbox.relay import EventLogUnavailable
from csms_kernel.projecting.writes import CassandraWriter

_HEADERS = [("event_type", firmware_pb2.CampaignEvent.DESCRIPTOR.full_name.encode())]
_ALL = "SELECT event FROM {ks}.campaign_events WHERE campaign_id = ?"
_SINCE = "SELECT event FROM {ks}.campaign_events WHERE campaign_id = ? AND recorded_at >= ?"
_LIST = "SELECT campaign_id, over FROM {ks}.campaigns WHERE bucket = ?"
_SUMMARY = "SELECT events, summary FROM {ks}.campaign_summaries WHERE campaign_id = ?"
_STATIONS = (
    "SELECT station_id, state, attempts, wave, reason, version FROM {ks}.campaign_stations "
    "WHERE campaign_id = ? AND station_id > ? LIMIT ?"
)


class CassandraCampaignReadModel:
    """The campaigns read model (what the projector writes; `make_readable` writes a new campaign's part)."""

    def __init__(self, session: CassandraSession, keyspace: str = KEYSPACE) -> None:
        self._session = session
        self._keyspace = keyspace
        self._writer = CassandraWriter(session, keyspace)

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

    async def make_readable(self, created: Event) -> None:
        campaign = rebuild([created])
        if campaign is None:
            raise ValueError(f"make_readable takes a Created event; got {type(created.change).__name__}")
        await self._writer.apply(
            [*event_writes(to_message(created)), *summary_writes(campaign, campaign.spec.stations)]
        )

    async def _summary_row(self, campaign_id: str) -> dict[str, object] | None:
        statement = await self._session.prepare(_SUMMARY.format(ks=self._keyspace), idempotent=True)
        rows = await self._session.execute(statement, (campaign_id,))
        return rows[0] if rows else None

    async def folded(self, campaign_id: str) -> int | None:
        row = await self._summary_row(campaign_id)
        return None if row is None else int(row["events"])  # type: ignore[call-overload]

    async def summary(self, campaign_id: str) -> firmware_pb2.CampaignView | None:
        row = await self._summary_row(campaign_id)
        return None if row is None else firmware_pb2.CampaignView.FromString(row["summary"])  # type: ignore[arg-type]

    async def summaries(self) -> list[firmware_pb2.CampaignView]:
        found = await asyncio.gather(*(self.summary(campaign_id) for campaign_id, _over in await self.listed()))
        return [summary for summary in found if summary is not None]

    async def stations(
        self, campaign_id: str, page_size: int, after: str
    ) -> tuple[list[firmware_pb2.CampaignStation], bool]:
        statement = await self._session.prepare(_STATIONS.format(ks=self._keyspace), idempotent=True)
        rows = await self._session.execute(statement, (campaign_id, after, page_size + 1))
        found = [
            firmware_pb2.CampaignStation(
                station_id=row["station_id"],
                state=row["state"],
                attempts=row["attempts"],
                wave=row["wave"],
                reason=row["reason"] or "",
                version=row["version"] or "",
            )
            for row in rows[:page_size]
        ]
        return found, len(rows) > page_size


class KafkaCampaignLog(CassandraCampaignReadModel):
    def __init__(self, producer: AIOKafkaProducer, session: CassandraSession, keyspace: str = KEYSPACE) -> None:
        super().__init__(session, keyspace)
        self._producer = producer

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
