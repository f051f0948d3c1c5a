"""Each Cassandra execution is one CLIENT span with the CQL text (never the parameters), ending with the rows."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from cassandra import InvalidRequest
from cassandra.query import PreparedStatement
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind, StatusCode

from csms_kernel.infra.cassandra import CassandraSession, RetryPolicy


class Response:
    """The driver's ResponseFuture, answering at once."""

    has_more_pages = False
    _paging_state = None

    def __init__(self, outcome: list[dict[str, Any]] | Exception) -> None:
        self._outcome = outcome

    def add_callbacks(self, on_rows: Callable[[Any], None], on_error: Callable[[BaseException], None]) -> None:
        if isinstance(self._outcome, Exception):
            on_error(self._outcome)
        else:
            on_rows(self._outcome)


class DriverSession:
    keyspace = "csms_unit"

    def __init__(self, outcome: list[dict[str, Any]] | Exception) -> None:
        self.outcome = outcome
        self.executed: list[tuple[Any, Any]] = []

    def execute_async(self, statement: Any, params: Any, paging_state: bytes | None = None) -> Response:
        self.executed.append((statement, params))
        return Response(self.outcome)


def session(outcome: list[dict[str, Any]] | Exception) -> CassandraSession:
    connected = CassandraSession(["127.0.0.1"], 9042, "datacenter1", None, retry=RetryPolicy(attempts=1))
    connected._connected = DriverSession(outcome)  # stands in for start()
    return connected


async def test_an_execution_is_a_client_span_with_the_cql(spans: InMemorySpanExporter) -> None:
    rows = await session([{"k": "a"}]).execute("select v from t where k = %s", ("secret",))
    assert rows == [{"k": "a"}]
    (span,) = spans.get_finished_spans()
    assert (span.name, span.kind) == ("SELECT", SpanKind.CLIENT)
    assert dict(span.attributes or {}) == {
        "db.system.name": "cassandra",
        "db.namespace": "csms_unit",
        "db.operation.name": "SELECT",
        "db.query.text": "select v from t where k = %s",
    }


async def test_a_bound_statement_is_named_by_its_prepared_cql(spans: InMemorySpanExporter) -> None:
    prepared = PreparedStatement([], b"id", [], "INSERT INTO t (k) VALUES (?)", "csms_unit", 5, None, None)
    await session([]).execute(prepared, ())
    (span,) = spans.get_finished_spans()
    assert span.name == "INSERT"
    assert dict(span.attributes or {})["db.query.text"] == "INSERT INTO t (k) VALUES (?)"


async def test_a_failed_execution_is_an_error_span(spans: InMemorySpanExporter) -> None:
    with pytest.raises(InvalidRequest):
        await session(InvalidRequest("no such table")).execute_page("SELECT * FROM nope", None, 10, None)
    (span,) = spans.get_finished_spans()
    assert span.status.status_code is StatusCode.ERROR
