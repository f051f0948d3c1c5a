"""Sites in Cassandra: the `SiteRepository` port (load/ports.py) over the tables `sites`, `site_evses`,
`site_installed`, `site_sequences` and `site_sessions` of schema.cql. Prepared statements, run asynchronously;
transient driver errors that outlived the retries become `SitesUnavailable`.

An EVSE's membership is claimed with `INSERT ... IF NOT EXISTS` and freed with `DELETE ... IF site_id = ?`, so two
sites put at once cannot both claim it; a claim left by a put that crashed before it stored its site (the owner
does not list the EVSE, and the claim is older than `STALE_CLAIM_S`: a put still under way is not robbed) is
taken over with `UPDATE ... IF site_id = ?`. The recompute number advances with a
compare-and-set, so two instances never hand out the same number. Network I/O only."""

from __future__ import annotations

import dataclasses
import time

from csms.smart_charging.v1 import smart_charging_pb2
from csms_kernel.infra.cassandra import TRANSIENT_ERRORS, CassandraSession, Row
from csms_smart_charging.load.domain.config import SiteDefinition, check_site_id
from csms_smart_charging.load.domain.site import BadSite, Demand, EvseKey
from csms_smart_charging.load.domain.sites import definition_of, site_message, with_site_limit
from csms_smart_charging.load.domain.state import SiteState
from csms_smart_charging.load.ports import EvseTaken, InvalidPageToken, SitesUnavailable
from csms_smart_charging.projections.tables import KEYSPACE

STALE_CLAIM_S = 60.0
"""A claim whose site does not list the EVSE this long after it was made was left by a put that failed."""

_GET = "SELECT site_id, definition, site_limit FROM {ks}.sites WHERE site_id = ?"
_FIRST_PAGE = "SELECT site_id, definition, site_limit FROM {ks}.sites LIMIT ?"
_NEXT_PAGE = "SELECT site_id, definition, site_limit FROM {ks}.sites WHERE token(site_id) > token(?) LIMIT ?"
_PUT = "INSERT INTO {ks}.sites (site_id, definition, site_limit) VALUES (?, ?, ?)"
_SET_LIMIT = "UPDATE {ks}.sites SET site_limit = ? WHERE site_id = ? IF EXISTS"
_DELETE = "DELETE FROM {ks}.sites WHERE site_id = ?"
_OWNER = "SELECT site_id FROM {ks}.site_evses WHERE station_id = ? AND evse_id = ?"
_CLAIMED = "SELECT site_id, WRITETIME(site_id) AS written FROM {ks}.site_evses WHERE station_id = ? AND evse_id = ?"
_CLAIM = "INSERT INTO {ks}.site_evses (station_id, evse_id, site_id) VALUES (?, ?, ?) IF NOT EXISTS"
_TAKE_OVER = "UPDATE {ks}.site_evses SET site_id = ? WHERE station_id = ? AND evse_id = ? IF site_id = ?"
_FREE = "DELETE FROM {ks}.site_evses WHERE station_id = ? AND evse_id = ? IF site_id = ?"
_INSTALLED = "SELECT station_id, evse_id, limit_a, unconfirmed FROM {ks}.site_installed WHERE site_id = ?"
_SAVE_INSTALLED = (
    "INSERT INTO {ks}.site_installed (site_id, station_id, evse_id, limit_a, unconfirmed) VALUES (?, ?, ?, ?, ?)"
)
_FORGET_INSTALLED = "DELETE FROM {ks}.site_installed WHERE site_id = ? AND station_id = ? AND evse_id = ?"
_FORGET_SITE_INSTALLED = "DELETE FROM {ks}.site_installed WHERE site_id = ?"
_SESSIONS = (
    "SELECT station_id, evse_id, transaction_id, phases, cap_a, since, out_of_service, connector_id "
    "FROM {ks}.site_sessions WHERE site_id = ?"
)
_SAVE_SESSION = (
    "INSERT INTO {ks}.site_sessions "
    "(site_id, station_id, evse_id, transaction_id, phases, cap_a, since, out_of_service, connector_id) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
)
_FORGET_SESSION = "DELETE FROM {ks}.site_sessions WHERE site_id = ? AND station_id = ? AND evse_id = ?"
_FORGET_SITE_SESSIONS = "DELETE FROM {ks}.site_sessions WHERE site_id = ?"
_SEQUENCE = "SELECT sequence FROM {ks}.site_sequences WHERE site_id = ?"
_FIRST_SEQUENCE = "INSERT INTO {ks}.site_sequences (site_id, sequence) VALUES (?, ?) IF NOT EXISTS"
_NEXT_SEQUENCE = "UPDATE {ks}.site_sequences SET sequence = ? WHERE site_id = ? IF sequence = ?"


class CassandraSiteRepository:
    def __init__(self, session: CassandraSession, keyspace: str = KEYSPACE) -> None:
        self._session = session
        self._keyspace = keyspace

    async def _run(self, cql: str, params: tuple[object, ...], *, idempotent: bool = True) -> list[Row]:
        statement = await self._session.prepare(cql.format(ks=self._keyspace), idempotent=idempotent)
        try:
            return await self._session.execute(statement, params)
        except TRANSIENT_ERRORS as exc:
            raise SitesUnavailable(f"site storage: {exc}") from exc

    async def get(self, site_id: str) -> SiteDefinition | None:
        rows = await self._run(_GET, (site_id,))
        return _definition(rows[0]) if rows else None

    async def list(self, page_size: int, page_token: str | None) -> tuple[list[SiteDefinition], str | None]:
        # Keyset paging in token order: the page token is the last site id of the previous page, checked before
        # it reaches Cassandra.
        if page_token is None:
            rows = await self._run(_FIRST_PAGE, (page_size,))
        else:
            try:
                after = check_site_id(page_token)
            except BadSite as exc:
                raise InvalidPageToken("page token is not one this service issued") from exc
            rows = await self._run(_NEXT_PAGE, (after, page_size))
        found = [definition for row in rows if (definition := _definition(row)) is not None]
        return found, str(rows[-1]["site_id"]) if len(rows) == page_size else None

    async def put(self, definition: SiteDefinition) -> SiteDefinition | None:
        site_id = definition.site_id
        previous = await self.get(site_id)
        kept = set(previous.evses) if previous is not None else set()
        claimed: list[EvseKey] = []
        for key in definition.evses:
            if key in kept:
                continue
            owner = await self._claim(key, site_id)
            if owner is not None:
                for mine in claimed:
                    await self._free(mine, site_id)
                raise EvseTaken(key, owner)
            claimed.append(key)
        message = site_message(definition)
        await self._run(_PUT, (site_id, message.SerializeToString(deterministic=True), definition.site.limit))
        for key in kept - set(definition.evses):
            await self._free(key, site_id)
            await self._run(_FORGET_INSTALLED, (site_id, key.station_id, key.evse_id))
            await self._run(_FORGET_SESSION, (site_id, key.station_id, key.evse_id))
        return previous

    async def _claim(self, key: EvseKey, site_id: str) -> str | None:
        """None when the EVSE is now the site's; else the site that holds it."""
        while True:
            [row] = await self._run(_CLAIM, (key.station_id, key.evse_id, site_id), idempotent=False)
            if row["[applied]"]:
                return None
            owner = str(row["site_id"])
            if owner == site_id:
                return None
            holder = await self.get(owner)
            if holder is not None and key in holder.evses:
                return owner
            rows = await self._run(_CLAIMED, (key.station_id, key.evse_id))
            if rows and rows[0]["site_id"] == owner and time.time() - rows[0]["written"] / 1e6 < STALE_CLAIM_S:
                return owner
            [row] = await self._run(_TAKE_OVER, (site_id, key.station_id, key.evse_id, owner), idempotent=False)
            if row["[applied]"]:
                return None

    async def _free(self, key: EvseKey, site_id: str) -> None:
        await self._run(_FREE, (key.station_id, key.evse_id, site_id), idempotent=False)

    async def delete(self, site_id: str) -> SiteDefinition | None:
        previous = await self.get(site_id)
        if previous is None:
            return None
        await self._run(_DELETE, (site_id,))
        await self._run(_FORGET_SITE_INSTALLED, (site_id,))
        await self._run(_FORGET_SITE_SESSIONS, (site_id,))
        for key in previous.evses:
            await self._free(key, site_id)
        return previous

    async def set_limit(self, site_id: str, limit: float) -> tuple[SiteDefinition, float] | None:
        previous = await self.get(site_id)
        if previous is None:
            return None
        changed = with_site_limit(previous, limit)
        [row] = await self._run(_SET_LIMIT, (limit, site_id), idempotent=False)
        if not row["[applied]"]:
            return None
        return changed, previous.site.limit

    async def site_of(self, key: EvseKey) -> str | None:
        rows = await self._run(_OWNER, (key.station_id, key.evse_id))
        return str(rows[0]["site_id"]) if rows else None

    async def load_state(self, site_id: str) -> SiteState | None:
        definition = await self.get(site_id)
        if definition is None:
            return None
        state = definition.state()
        for row in await self._run(_INSTALLED, (site_id,)):
            key = EvseKey(row["station_id"], row["evse_id"])
            if key in definition.evses:
                state.installed[key] = float(row["limit_a"])
                if row["unconfirmed"]:
                    state.unconfirmed.add(key)
        for row in await self._run(_SESSIONS, (site_id,)):
            key = EvseKey(row["station_id"], row["evse_id"])
            if key in definition.evses and row["transaction_id"] is not None:
                cap = None if row["cap_a"] is None else float(row["cap_a"])
                state.demands[key] = dataclasses.replace(
                    definition.evses[key],
                    active=True,
                    phases=row["phases"],
                    cap_a=cap,
                    since=float(row["since"]),
                    out_of_service=bool(row["out_of_service"]),
                    connector_id=row["connector_id"] or 0,
                )
                state.transactions[key] = str(row["transaction_id"])
        rows = await self._run(_SEQUENCE, (site_id,))
        state.sequence = int(rows[0]["sequence"]) if rows else 0
        return state

    async def save_installed(
        self, site_id: str, key: EvseKey, limit_a: float | None, *, unconfirmed: bool = False
    ) -> None:
        if limit_a is None:
            await self._run(_FORGET_INSTALLED, (site_id, key.station_id, key.evse_id))
        else:
            await self._run(_SAVE_INSTALLED, (site_id, key.station_id, key.evse_id, limit_a, unconfirmed))

    async def save_session(self, site_id: str, demand: Demand, transaction_id: str | None) -> None:
        key = demand.key
        if transaction_id is None or not demand.active:
            await self._run(_FORGET_SESSION, (site_id, key.station_id, key.evse_id))
            return
        params = (
            site_id,
            key.station_id,
            key.evse_id,
            transaction_id,
            demand.phases,
            demand.cap_a,
            demand.since,
            demand.out_of_service,
            demand.connector_id,
        )
        await self._run(_SAVE_SESSION, params)

    async def current_sequence(self, site_id: str) -> int:
        rows = await self._run(_SEQUENCE, (site_id,))
        return int(rows[0]["sequence"]) if rows else 0

    async def next_sequence(self, site_id: str) -> int:
        while True:
            rows = await self._run(_SEQUENCE, (site_id,))
            if not rows:
                [row] = await self._run(_FIRST_SEQUENCE, (site_id, 1), idempotent=False)
                if row["[applied]"]:
                    return 1
                continue
            current = int(rows[0]["sequence"])
            [row] = await self._run(_NEXT_SEQUENCE, (current + 1, site_id, current), idempotent=False)
            if row["[applied]"]:
                return current + 1


def _definition(row: Row) -> SiteDefinition | None:
    if row["definition"] is None:
        return None
    message = smart_charging_pb2.Site.FromString(row["definition"])
    definition = definition_of(message)
    if row["site_limit"] is not None and row["site_limit"] != definition.site.limit:
        definition = with_site_limit(definition, float(row["site_limit"]))
    return definition
