"""A `CassandraSession` that counts what it sends: requests (round trips) and the statements in them."""

from __future__ import annotations

from typing import Any

from cassandra.query import BatchStatement

from csms_kernel.infra.cassandra import CassandraSession, Params, Row


class CountingSession(CassandraSession):
    def __init__(self, session: CassandraSession) -> None:
        """Sends through `session`'s connections (never close this one)."""
        super().__init__([], 0, "", None, retry=session._retry)
        self._connected = session._session
        self.requests = 0
        self.statements = 0

    async def execute(self, statement: Any, params: Params = None, *, idempotent: bool = False) -> list[Row]:
        self.requests += 1
        self.statements += len(statement._statements_and_parameters) if isinstance(statement, BatchStatement) else 1
        return await super().execute(statement, params, idempotent=idempotent)

    def reset(self) -> None:
        self.requests = self.statements = 0
