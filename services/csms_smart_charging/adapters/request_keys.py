"""The `RequestKeys` port in Cassandra: each request key's command and params, created with a lightweight
transaction (`IF NOT EXISTS`), so the first claim wins whatever instance makes it. Network I/O only."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from csms_kernel.infra.cassandra import CassandraSession
from csms_smart_charging.projections.tables import KEYSPACE

_CLAIM = (
    "INSERT INTO {ks}.request_keys (station_id, request_key, command, params_json) VALUES (?, ?, ?, ?) IF NOT EXISTS"
)


class CassandraRequestKeys:
    def __init__(self, session: CassandraSession, keyspace: str = KEYSPACE) -> None:
        self._session = session
        self._keyspace = keyspace

    async def claim(
        self, station_id: str, request_key: str, command: str, params: Mapping[str, Any]
    ) -> tuple[str, dict[str, Any]]:
        statement = await self._session.prepare(_CLAIM.format(ks=self._keyspace), idempotent=False)
        text = json.dumps(dict(params), sort_keys=True)
        [row] = await self._session.execute(statement, (station_id, request_key, command, text))
        if row["[applied]"]:
            return command, dict(params)
        return str(row["command"]), json.loads(row["params_json"])
