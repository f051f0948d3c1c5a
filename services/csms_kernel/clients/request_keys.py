"""The request keys of a service that hands commands to device-model (firmware, smart-charging) in Cassandra: each
key's command and params, created with a lightweight transaction (`IF NOT EXISTS`) in `<keyspace>.request_keys`,
so the first claim wins whatever instance makes it and a repeat sends what the first claimed. Network I/O only."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any, Protocol

from csms_kernel.infra.cassandra import CassandraSession

_CLAIM = (
    "INSERT INTO {ks}.request_keys (station_id, request_key, command, params_json) VALUES (?, ?, ?, ?) IF NOT EXISTS"
)


class RequestKeys(Protocol):
    async def claim(
        self, station_id: str, request_key: str, command: str, params: Mapping[str, Any]
    ) -> tuple[str, dict[str, Any]]:
        """Stores the command and params under the station's request key unless the key has some already;
        returns what is stored (the first claim's, whoever made it)."""


class CassandraRequestKeys:
    def __init__(self, session: CassandraSession, keyspace: str) -> None:
        self._session = session
        self._claim = _CLAIM.format(ks=keyspace)

    async def claim(
        self, station_id: str, request_key: str, command: str, params: Mapping[str, Any]
    ) -> tuple[str, dict[str, Any]]:
        """The command and params claimed under the key: these, or the first claim's."""
        statement = await self._session.prepare(self._claim, idempotent=False)
        text = json.dumps(dict(params), sort_keys=True)
        [row] = await self._session.execute(statement, (station_id, request_key, command, text))
        if row["[applied]"]:
            return command, dict(params)
        return str(row["command"]), json.loads(row["params_json"])
