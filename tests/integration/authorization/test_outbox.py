"""The token outbox on the real Cassandra and Kafka: changes stored while no relay runs (a crashed instance)
wait in the outbox, and a relay publishes exactly those events, in order per token, then nothing more."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest
from aiokafka import AIOKafkaProducer

from csms.authorization.v1 import authorization_pb2 as pb
from csms_authorization.adapters.local_list_store import CassandraLocalListStore
from csms_authorization.adapters.outbox import CassandraOutbox
from csms_authorization.adapters.store import KEYSPACE
from csms_authorization.adapters.token_store import CassandraTokenStore
from csms_authorization.app.token_service import TokenService
from csms_authorization.domain.tokens import TokenDraft, TokenStatus, TokenType
from csms_kernel.infra import topics
from csms_kernel.infra.cassandra import CassandraSession
from csms_kernel.infra.kafka import make_producer
from csms_kernel.outbox.event_log import KafkaEventLog
from csms_kernel.outbox.lease import CassandraLease
from csms_kernel.outbox.relay import OutboxRelay
from infra_fixtures import Infra
from kit.kafka_log import read_until_end_marks

pytestmark = pytest.mark.integration


def now() -> datetime:
    return datetime.now(UTC)


def draft(id_token: str, local_list: bool = False) -> TokenDraft:
    return TokenDraft(id_token, TokenType.KEY_CODE, TokenStatus.ACCEPTED, None, None, frozenset(), local_list)


@pytest.fixture
async def producer(infra: Infra) -> AsyncIterator[AIOKafkaProducer]:
    started = make_producer(infra.kafka_bootstrap, f"it-outbox-{uuid.uuid4().hex[:8]}")
    await started.start()
    yield started
    await started.stop()


async def test_a_relay_publishes_exactly_the_waiting_events(
    infra: Infra, session: CassandraSession, outbox_table: str, producer: AIOKafkaProducer
) -> None:
    run = uuid.uuid4().hex[:8].upper()
    one, two = f"IT-OUTBOX-{run}-1", f"IT-OUTBOX-{run}-2"
    outbox = CassandraOutbox(session, outbox_table)
    service = TokenService(
        CassandraTokenStore(session, outbox_table), CassandraLocalListStore(session, f"test-{run}"), now
    )
    await service.upsert(draft(one, local_list=True))
    await service.block(one)
    await service.upsert(draft(two))
    await service.delete(one)
    waiting = await outbox.pending(100)
    assert sorted(e.key for e in waiting) == [one, one, one, two]

    relay = OutboxRelay(
        outbox,
        CassandraLease(session, KEYSPACE, f"it-outbox-{run}", "it-owner", 15),
        KafkaEventLog(producer, topics.AUTHORIZATION_EVENTS, pb.AuthorizationEvent.DESCRIPTOR.full_name),
        per_shard=2,
    )
    assert await relay.relay_pending() == 4
    assert await outbox.pending(100) == []
    assert await relay.relay_pending() == 0

    records = await read_until_end_marks(
        infra.kafka_bootstrap, producer, topics.AUTHORIZATION_EVENTS, [one, two], f"it-outbox-{run}"
    )
    read = {key: [pb.AuthorizationEvent.FromString(r.value) for r in rs] for key, rs in records.items()}

    assert [e.WhichOneof("event") for e in read[one]] == ["id_token_added", "id_token_blocked", "id_token_deleted"]
    assert [e.WhichOneof("event") for e in read[two]] == ["id_token_added"]
    revisions = [e.revision for e in read[one]]
    assert revisions == sorted(revisions) and len(set(revisions)) == 3
    assert sorted(e.revision for e in [*read[one], *read[two]]) == sorted(e.revision for e in waiting)
