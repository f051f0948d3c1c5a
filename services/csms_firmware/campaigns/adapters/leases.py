"""The `CampaignLeases` port in Cassandra: one row per campaign naming the firmware instance that drives it,
taken with a lightweight transaction (`INSERT ... IF NOT EXISTS`) and renewed by its holder (`UPDATE ... IF
owner = ?`), both with a TTL, so a driver that dies (kill -9) frees the campaign a TTL later and whichever
instance asks next takes it over. Network I/O only."""

from __future__ import annotations

from csms_firmware.projections.tables import KEYSPACE
from csms_kernel.infra.cassandra import CassandraSession

_TAKE = "INSERT INTO {ks}.campaign_leases (campaign_id, owner) VALUES (?, ?) IF NOT EXISTS USING TTL ?"
_RENEW = "UPDATE {ks}.campaign_leases USING TTL ? SET owner = ? WHERE campaign_id = ? IF owner = ?"


class CassandraCampaignLeases:
    def __init__(self, session: CassandraSession, keyspace: str = KEYSPACE) -> None:
        self._session = session
        self._keyspace = keyspace

    async def hold(self, campaign_id: str, owner: str, ttl_s: int) -> bool:
        take = await self._session.prepare(_TAKE.format(ks=self._keyspace), idempotent=False)
        [row] = await self._session.execute(take, (campaign_id, owner, ttl_s))
        if row["[applied]"]:
            return True
        if row["owner"] != owner:
            return False
        renew = await self._session.prepare(_RENEW.format(ks=self._keyspace), idempotent=False)
        [renewed] = await self._session.execute(renew, (ttl_s, owner, campaign_id, owner))
        return bool(renewed["[applied]"])
