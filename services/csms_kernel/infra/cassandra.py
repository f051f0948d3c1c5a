"""The shared Cassandra adapter: connect with the DataStax driver and execute statements from asyncio.

Owns the cluster/session lifecycle (`CassandraSession.start`/`stop`, `connect`), a per-CQL cache of prepared
statements, the bridge from the driver's callback futures to asyncio futures, paging, and a bounded
retry with back-off on transient errors (so handlers wait out a Cassandra restart). Only statements
marked idempotent are retried. Every execution (all its pages and retries) is a CLIENT span with the CQL text
(never the parameters). Side effects: network I/O to Cassandra and one driver I/O thread.
Keyspaces and tables are created by the migration step (`csms migrate`), never here.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from cassandra import (
    ConsistencyLevel,
    OperationTimedOut,
    ProtocolVersion,
    ReadTimeout,
    Unavailable,
    WriteTimeout,
)
from cassandra.cluster import EXEC_PROFILE_DEFAULT, Cluster, ExecutionProfile, NoHostAvailable, Session
from cassandra.policies import DCAwareRoundRobinPolicy, ExponentialReconnectionPolicy, TokenAwarePolicy
from cassandra.query import BoundStatement, PreparedStatement, SimpleStatement, Statement, dict_factory
from opentelemetry.trace import Span, SpanKind

from csms_kernel.infra.client_security import NO_CASSANDRA_SECURITY, CassandraSecurity
from csms_kernel.telemetry import tracing

log = logging.getLogger(__name__)

Row = dict[str, Any]
"""A result row: column name → value (the session uses the driver's `dict_factory`)."""

Params = Sequence[object] | dict[str, object] | None

TRANSIENT_ERRORS: tuple[type[Exception], ...] = (
    NoHostAvailable,
    OperationTimedOut,
    Unavailable,
    WriteTimeout,
    ReadTimeout,
)
"""Errors after which the same idempotent statement may succeed when simply sent again."""


@dataclass(frozen=True)
class RetryPolicy:
    """Bounded exponential back-off with jitter; the defaults span roughly a 30 s Cassandra restart."""

    attempts: int = 10
    initial_backoff: float = 0.2
    max_backoff: float = 5.0

    def backoff(self, attempt: int) -> float:
        """The pause before attempt number `attempt + 1` (attempt counts from 1)."""
        ceiling = min(self.max_backoff, self.initial_backoff * 2.0 ** (attempt - 1))
        return ceiling * (0.5 + random.random() / 2)


Sleep = Callable[[float], Awaitable[None]]
T = TypeVar("T")


async def retrying(
    operation: Callable[[], Awaitable[T]], policy: RetryPolicy, what: str, sleep: Sleep = asyncio.sleep
) -> T:
    """Runs `operation`, repeating it after a pause while it fails with a transient error."""
    attempt = 1
    while True:
        try:
            return await operation()
        except TRANSIENT_ERRORS as exc:
            if attempt >= policy.attempts:
                raise
            delay = policy.backoff(attempt)
            log.warning(
                "cassandra %s failed (%s: %s), attempt %d/%d, retrying in %.2fs",
                what,
                type(exc).__name__,
                exc,
                attempt,
                policy.attempts,
                delay,
            )
            await sleep(delay)
            attempt += 1


class CassandraSession:
    """A thin asyncio wrapper around a driver `Session` (one per process and cluster).

    Constructing it does no I/O: `start()` connects (a service resource), `stop()`/`close()` disconnects.
    Token-aware routing over the local data center, LOCAL_QUORUM (read-your-writes), rows as dicts.
    Protocol v5 is offered first and the driver negotiates down if the cluster does not support it. `security`:
    password authentication and TLS (`CommonSettings.cassandra_security`).
    """

    def __init__(
        self,
        contact_points: Sequence[str],
        port: int,
        local_dc: str,
        keyspace: str | None,
        *,
        retry: RetryPolicy | None = None,
        request_timeout: float = 10.0,
        security: CassandraSecurity = NO_CASSANDRA_SECURITY,
    ) -> None:
        self._contact_points = list(contact_points)
        self._security = security
        self._port = port
        self._local_dc = local_dc
        self._keyspace = keyspace
        self._retry = retry or RetryPolicy()
        self._request_timeout = request_timeout
        self._cluster: Cluster | None = None
        self._connected: Session | None = None
        self._prepared: dict[tuple[str, bool], asyncio.Task[PreparedStatement]] = {}

    @property
    def _session(self) -> Session:
        if self._connected is None:
            raise RuntimeError("the Cassandra session is used before start()")
        return self._connected

    async def start(self) -> None:
        """Connects to the cluster, retrying while no node answers."""
        profile = ExecutionProfile(
            load_balancing_policy=TokenAwarePolicy(DCAwareRoundRobinPolicy(local_dc=self._local_dc)),
            consistency_level=ConsistencyLevel.LOCAL_QUORUM,
            row_factory=dict_factory,
            request_timeout=self._request_timeout,
        )

        def open_session() -> tuple[Cluster, Session]:
            cluster = Cluster(
                **self._security.cluster_options(),
                contact_points=self._contact_points,
                port=self._port,
                execution_profiles={EXEC_PROFILE_DEFAULT: profile},
                # Reconnect within seconds after a restart (the driver's default waits up to 10 minutes).
                reconnection_policy=ExponentialReconnectionPolicy(base_delay=0.5, max_delay=5.0),
            )
            # Set after construction so it is not "explicit": the driver may still negotiate down from it.
            cluster.protocol_version = ProtocolVersion.V5
            try:
                return cluster, cluster.connect(self._keyspace)
            except BaseException:
                cluster.shutdown()
                raise

        async def attempt() -> tuple[Cluster, Session]:
            return await asyncio.to_thread(open_session)

        cluster, self._connected = await retrying(attempt, self._retry, "connect")
        self._cluster = cluster
        log.info(
            "connected to cassandra %s:%d (dc %s, protocol v%d, keyspace %s)",
            ",".join(self._contact_points),
            self._port,
            self._local_dc,
            cluster.protocol_version,
            self._keyspace,
        )

    async def stop(self) -> None:
        await self.close()

    async def prepare(self, cql: str, *, idempotent: bool) -> PreparedStatement:
        """Prepares `cql` once per process; concurrent callers share the same preparation.

        `idempotent` must be true only when executing the statement twice has the same effect as once
        (plain upserts and reads); only such statements are retried after transient errors.
        """
        key = (cql, idempotent)
        task = self._prepared.get(key)
        if task is None:
            task = asyncio.ensure_future(self._prepare(cql, idempotent))
            self._prepared[key] = task
        try:
            return await asyncio.shield(task)
        except Exception:
            if self._prepared.get(key) is task and task.done():
                del self._prepared[key]  # a failed preparation is tried again by the next caller
            raise

    async def _prepare(self, cql: str, idempotent: bool) -> PreparedStatement:
        # Preparing has no effect on data, so it is always retried.
        statement = await retrying(lambda: asyncio.to_thread(self._session.prepare, cql), self._retry, "prepare")
        statement.is_idempotent = idempotent
        return statement

    async def execute(
        self, statement: str | Statement | PreparedStatement, params: Params = None, *, idempotent: bool = False
    ) -> list[Row]:
        """Executes one statement and returns all its rows (every page).

        A plain CQL string (with `%s` placeholders for `params`) runs as a `SimpleStatement`, idempotent only
        when `idempotent=True` is passed; prepared and other statements carry their own `is_idempotent` flag.
        """
        bound, values = _bind(statement, params, idempotent)
        with self._span(bound):
            rows, paging_state = await self._page(bound, values, None)
            while paging_state is not None:
                page, paging_state = await self._page(bound, values, paging_state)
                rows.extend(page)
        return rows

    async def execute_page(
        self,
        statement: str | Statement | PreparedStatement,
        params: Params,
        page_size: int,
        paging_state: bytes | None,
        *,
        idempotent: bool = False,
    ) -> tuple[list[Row], bytes | None]:
        """Fetches one page of at most `page_size` rows; returns it and the state for the next page (None
        when this was the last). Cassandra may return a last page that is empty.

        Never pass a paging state an outside client could have forged: Cassandra answers a malformed one with
        a protocol error and the driver closes the whole connection, failing every request in flight on it.
        Seal it (e.g. HMAC) before handing it out, or page by key (`WHERE token(pk) > token(?)`) instead.
        """
        bound, values = _bind(statement, params, idempotent)
        bound.fetch_size = page_size
        with self._span(bound):
            return await self._page(bound, values, paging_state)

    def _span(self, statement: Statement) -> contextlib.AbstractContextManager[Span]:
        query = _query_text(statement)
        operation = query.split(None, 1)[0].upper() if query else "CQL"
        attributes = {
            "db.system.name": "cassandra",
            "db.namespace": self._session.keyspace or "",
            "db.operation.name": operation,
            "db.query.text": query,
        }
        return tracing.span(operation, SpanKind.CLIENT, attributes=attributes)

    async def close(self) -> None:
        """Closes every connection and stops the driver's threads (nothing when never connected)."""
        if self._cluster is not None:
            await asyncio.to_thread(self._cluster.shutdown)
            self._cluster = self._connected = None

    async def _page(
        self, statement: Statement, params: Params, paging_state: bytes | None
    ) -> tuple[list[Row], bytes | None]:
        if not statement.is_idempotent:
            return await self._send(statement, params, paging_state)
        return await retrying(lambda: self._send(statement, params, paging_state), self._retry, "execute")

    def _send(
        self, statement: Statement, params: Params, paging_state: bytes | None
    ) -> asyncio.Future[tuple[list[Row], bytes | None]]:
        """Sends the statement once; the driver calls back from its I/O thread."""
        loop = asyncio.get_running_loop()
        result: asyncio.Future[tuple[list[Row], bytes | None]] = loop.create_future()
        response = self._session.execute_async(statement, params, paging_state=paging_state)

        def on_rows(rows: list[Row] | None) -> None:
            next_state: bytes | None = response._paging_state if response.has_more_pages else None
            _call_threadsafe(loop, _set_result, result, (list(rows or ()), next_state))

        def on_error(exc: BaseException) -> None:
            _call_threadsafe(loop, _set_exception, result, exc)

        response.add_callbacks(on_rows, on_error)
        return result


def _bind(statement: str | Statement | PreparedStatement, params: Params, idempotent: bool) -> tuple[Statement, Params]:
    """The statement to send and the parameters to send with it (a bound statement carries its own)."""
    if isinstance(statement, str):
        return SimpleStatement(statement, is_idempotent=idempotent), params
    if isinstance(statement, PreparedStatement):
        return statement.bind(params or ()), None
    return statement, params


def _query_text(statement: Statement) -> str:
    if isinstance(statement, BoundStatement):
        return str(statement.prepared_statement.query_string)
    return str(getattr(statement, "query_string", ""))


def _call_threadsafe(loop: asyncio.AbstractEventLoop, fn: Callable[..., None], *args: object) -> None:
    try:
        loop.call_soon_threadsafe(fn, *args)
    except RuntimeError:  # the event loop is closed: nobody is waiting any more
        pass


def _set_result(future: asyncio.Future[T], value: T) -> None:
    if not future.done():  # done: the awaiting task was cancelled
        future.set_result(value)


def _set_exception(future: asyncio.Future[T], exc: BaseException) -> None:
    if not future.done():
        future.set_exception(exc)


async def connect(
    contact_points: Sequence[str],
    port: int,
    local_dc: str,
    keyspace: str | None,
    *,
    retry: RetryPolicy | None = None,
    request_timeout: float = 10.0,
    security: CassandraSecurity = NO_CASSANDRA_SECURITY,
) -> CassandraSession:
    """A connected session (see `CassandraSession`)."""
    session = CassandraSession(
        contact_points, port, local_dc, keyspace, retry=retry, request_timeout=request_timeout, security=security
    )
    await session.start()
    return session
