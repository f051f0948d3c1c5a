"""`BatchedWrites`: statements executed in the same turn go as few requests (one per partition, single partitions
a few per batch), each caller returns once its request is written, and a failed request fails its callers only."""

from __future__ import annotations

import asyncio
from typing import Any

from cassandra.query import BatchStatement, SimpleStatement

from csms_kernel.infra.batched_writes import BatchedWrites


class Session:
    def __init__(self, failing: str | None = None) -> None:
        self.requests: list[Any] = []
        self.failing = failing

    async def execute(self, request: Any) -> list[Any]:
        queries = (
            [query for _, query, _ in request._statements_and_parameters]
            if isinstance(request, BatchStatement)
            else [request.query_string]
        )
        self.requests.append(queries)
        if self.failing is not None and f"INSERT {self.failing}" in queries:
            raise ConnectionError("Cassandra down")
        return []


def statement(key: str) -> Any:
    return SimpleStatement(f"INSERT {key}", routing_key=key.encode())


async def test_statements_of_a_turn_go_in_few_requests() -> None:
    session = Session()
    writes = BatchedWrites(session)  # type: ignore[arg-type]
    keys = [f"k{n}" for n in range(11)] + ["k0"]
    await asyncio.gather(*(writes.execute(statement(key)) for key in keys))
    assert session.requests == [  # k0's two in one batch, the ten single partitions in another
        ["INSERT k0", "INSERT k0"],
        [f"INSERT k{n}" for n in range(1, 11)],
    ]
    await writes.execute(statement("later"))
    assert session.requests[-1] == ["INSERT later"]  # a later turn: a new request


async def test_a_failed_request_fails_its_callers_only() -> None:
    session = Session(failing="bad")
    writes = BatchedWrites(session)  # type: ignore[arg-type]
    found = await asyncio.gather(
        writes.execute(statement("good")),
        writes.execute(statement("bad")),
        writes.execute(statement("bad")),
        return_exceptions=True,
    )
    assert found[0] is None
    assert all(isinstance(error, ConnectionError) for error in found[1:])
