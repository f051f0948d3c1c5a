"""Idempotent single writes made together: the statements executed in the same turn of the event loop go out as
few requests, grouped as the projections' writes are (`csms_kernel.projecting.writes.requests`: statements of one
partition in one unlogged batch, single partitions a few per batch), the requests concurrent. Each caller returns
once its own statement is written, or raises what its request raised.

Why: a request costs the driver ~0.3 ms of CPU and Cassandra ~0.2 ms whatever it writes (docs/adr/0045); the call
runner stores every answer before publishing it (`handling.answered_calls`), one write per CALL, and the CALLs of a
batch's stations are answered concurrently. Side effects: the writes.
"""

from __future__ import annotations

import asyncio

from cassandra.query import BoundStatement

from csms_kernel.infra.cassandra import CassandraSession
from csms_kernel.projecting.writes import one_request, requests


class BatchedWrites:
    def __init__(self, session: CassandraSession) -> None:
        self._session = session
        self._pending: list[tuple[BoundStatement, asyncio.Future[None]]] = []
        self._tasks: set[asyncio.Task[None]] = set()

    async def execute(self, statement: BoundStatement) -> None:
        """Writes `statement` (idempotent: it may be retried) with the others of this turn."""
        loop = asyncio.get_running_loop()
        if not self._pending:
            loop.call_soon(self._send)
        future: asyncio.Future[None] = loop.create_future()
        self._pending.append((statement, future))
        await asyncio.shield(future)  # a cancelled caller's statement is still written, with the others

    def _send(self) -> None:
        pending, self._pending = self._pending, []
        futures = {id(statement): future for statement, future in pending}
        for group in requests(statement for statement, _ in pending):
            task = asyncio.create_task(self._write(group, [futures[id(statement)] for statement in group]))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    async def _write(self, statements: list[BoundStatement], futures: list[asyncio.Future[None]]) -> None:
        try:
            await self._session.execute(one_request(statements))
        except Exception as exc:
            for future in futures:
                future.set_exception(exc)
                future.exception()  # retrieved: no warning when every caller was cancelled
            return
        for future in futures:
            future.set_result(None)
