"""The security service's Cassandra adapters: signing requests get one certificate, issued certificates and
renewals are kept per station, and the event log lists events newest first in pages, each event once. In a
keyspace of their own (the tables of schema.cql), so no running signer or sweep takes the rows."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest

from csms.security.v1 import security_pb2
from csms_kernel.infra.cassandra import CassandraSession
from csms_kernel.projecting.writes import CassandraWriter
from csms_kernel.security.events import csms_event
from csms_security.adapters.certificate_store import CassandraCertificateStore
from csms_security.adapters.event_log import CassandraEventLog
from csms_security.domain.csr import CHARGING_STATION, V2G
from csms_security.ports import SigningRequest
from csms_security.projections.security_events import PROJECTION
from csms_security.projections.tables import KEYSPACE
from kit import scratch_keyspace
from kit.builders.security import issued_certificate

pytestmark = pytest.mark.integration

NOW = datetime(2026, 11, 21, 12, 0, 0, 123000, tzinfo=UTC)


@pytest.fixture(scope="module")
async def keyspace(session: CassandraSession) -> AsyncIterator[str]:
    async with scratch_keyspace.service_keyspace(session, "csms_security", KEYSPACE) as name:
        yield name


def station() -> str:
    return f"IT-{uuid.uuid4().hex[:8]}"


async def test_a_request_is_pending_until_handed_over_and_gets_one_certificate(
    session: CassandraSession, keyspace: str
) -> None:
    store = CassandraCertificateStore(session, keyspace)
    station_id = station()
    request = SigningRequest(f"r-{station_id}", station_id, CHARGING_STATION, "CSR PEM", NOW)
    await store.record(request)
    await store.record(request)
    assert await store.pending(NOW) == []
    assert await store.pending(NOW + timedelta(seconds=1)) == [request]
    assert await store.issued_for(request.request_id) is None
    first = issued_certificate(station_id, "a1", NOW + timedelta(days=365), NOW)
    first = type(first)(**{**first.__dict__, "request_id": request.request_id})
    second = type(first)(**{**first.__dict__, "serial_number": "b2", "chain_pem": "OTHER"})
    assert await store.issue_once(first) == first
    assert await store.issue_once(second) == first
    assert await store.issued_for(request.request_id) == first
    [listed] = await store.station_certificates(station_id)
    assert (listed.serial_number, listed.certificate_chain_pem, listed.certificate_type) == (
        "a1",
        "PEM",
        CHARGING_STATION,
    )
    await store.done(request, NOW + timedelta(seconds=2))
    assert request not in await store.pending(NOW + timedelta(seconds=1))
    await store.record(request)  # the CALL handled again after the hand-over
    assert request not in await store.pending(NOW + timedelta(seconds=1))


async def test_the_newest_charging_station_certificate_is_the_renewal_candidate(
    session: CassandraSession, keyspace: str
) -> None:
    store = CassandraCertificateStore(session, keyspace)
    station_id = station()
    newer = issued_certificate(station_id, "n2", NOW + timedelta(days=365), NOW)
    older = issued_certificate(station_id, "o1", NOW + timedelta(days=10), NOW - timedelta(days=355))
    v2g = issued_certificate(station_id, "v3", NOW + timedelta(days=1), NOW + timedelta(hours=1), V2G)
    for issued in (newer, older, v2g):
        await store.record(
            SigningRequest(issued.request_id, station_id, issued.certificate_type, "CSR", issued.issued_at)
        )
        await store.issue_once(issued)
    [candidate] = [c for c in await store.renewal_candidates() if c.station_id == station_id]
    assert (candidate.serial_number, candidate.not_after, candidate.requested_serial) == ("n2", newer.not_after, None)
    await store.renewal_requested(station_id, "n2", NOW)
    [candidate] = [c for c in await store.renewal_candidates() if c.station_id == station_id]
    assert (candidate.requested_serial, candidate.requested_at) == ("n2", NOW)
    assert [c.serial_number for c in await store.station_certificates(station_id)] == ["v3", "n2", "o1"]


async def test_the_event_log_pages_newest_first_per_station_and_for_all(
    session: CassandraSession, keyspace: str
) -> None:
    writer = CassandraWriter(session, keyspace)
    log = CassandraEventLog(session, keyspace)
    one, two = station(), station()
    # far in the future, so these are the newest events of the all-stations listing (other tests write "now")
    base = datetime(9000, 1, 1, tzinfo=UTC)
    records = [
        csms_event("handshake_refused", one, "1", now=base),
        csms_event("handshake_refused", two, "2", now=base + timedelta(minutes=1)),
        csms_event("csr_rejected", one, "3", now=base + timedelta(days=1)),
        csms_event("certificate_issued", one, "4", now=base + timedelta(days=1, minutes=1)),
    ]
    await writer.apply(PROJECTION.writes(records, None))
    await writer.apply(PROJECTION.writes(records[:2], None))
    ids = [r.event.event_id for r in records]

    async def pages(station_id: str, size: int) -> list[list[str]]:
        found, token = [], ""
        while True:
            events, token = await log.events(station_id, size, token)
            found.append([e.event_id for e in events])
            if not token:
                return found

    assert await pages(one, 2) == [[ids[3], ids[2]], [ids[0]]]
    assert await pages(two, 5) == [[ids[1]]]
    newest = await pages("", 3)
    assert newest[0] == [ids[3], ids[2], ids[1]]
    assert newest[1][0] == ids[0]
    events, _ = await log.events(one, 1, "")
    assert events[0] == records[3].event
    assert events[0].source == security_pb2.SECURITY_EVENT_SOURCE_CSMS
    with pytest.raises(ValueError):
        await log.events(two, 1, (await log.events(one, 1, ""))[1])
