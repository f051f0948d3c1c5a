"""Command events on the real Cassandra and Kafka: states stored while no relay runs (a process that died between
its Cassandra write and the publish) wait in the command outbox; a relay publishes each reached state once, in
order per station, onto csms.device_model.events.v1 keyed by the station; the row of a change that lost its
compare-and-set goes unpublished. A backlog goes out command by command (in creation order), each command's
states in order."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
from aiokafka import AIOKafkaProducer

from csms.device_model.v1 import device_model_pb2 as pb
from csms_device_model.adapters.command_outbox import CassandraCommandOutbox
from csms_device_model.adapters.command_store import KEYSPACE, CassandraCommandStore, CommandTables
from csms_device_model.bootstrap import EVENT_TYPE
from csms_device_model.domain.commands.record import CommandState
from csms_kernel.infra import topics
from csms_kernel.infra.cassandra import CassandraSession
from csms_kernel.infra.kafka import make_producer
from csms_kernel.outbox.event_log import KafkaEventLog
from csms_kernel.outbox.lease import CassandraLease
from csms_kernel.outbox.relay import OutboxRelay
from infra_fixtures import Infra
from kit.builders.device_model import a_command
from kit.kafka_log import read_until_end_marks

pytestmark = pytest.mark.integration


@pytest.fixture
async def producer(infra: Infra) -> AsyncIterator[AIOKafkaProducer]:
    started = make_producer(infra.kafka_bootstrap, f"it-commands-{uuid.uuid4().hex[:8]}")
    await started.start()
    yield started
    await started.stop()


async def test_a_relay_publishes_every_state_once_in_order(
    infra: Infra, session: CassandraSession, command_tables: CommandTables, producer: AIOKafkaProducer
) -> None:
    run = uuid.uuid4().hex[:8]
    station, other = f"IT-CMD-{run}-1", f"IT-CMD-{run}-2"
    now = datetime.now(UTC).replace(microsecond=0)
    store = CassandraCommandStore(session, command_tables)
    answered = a_command(command_id=f"{run}-a", station_id=station, created_at=now)
    kept = a_command(
        command_id=f"{run}-b",
        station_id=station,
        created_at=now + timedelta(milliseconds=1),
        queue_if_offline=True,
        expires_at=now + timedelta(hours=1),
    )
    elsewhere = a_command(command_id=f"{run}-c", station_id=other, created_at=now)
    for record in (answered, kept, elsewhere):
        await store.create(record)
    sent = answered.sending(now + timedelta(seconds=1), answered.ocpp_version, answered.calls)
    assert await store.change(CommandState.QUEUED, sent)
    assert await store.change(
        CommandState.SENT, sent.answered(now + timedelta(seconds=2), ([3, "m", {"status": "Accepted"}],), {}, None)
    )
    expired = kept.expired(now + timedelta(seconds=3))
    assert await store.change(CommandState.QUEUED, expired)
    assert not await store.change(CommandState.QUEUED, kept.sending(now, kept.ocpp_version, kept.calls))

    relay = OutboxRelay(
        CassandraCommandOutbox(session, store, command_tables),
        CassandraLease(session, KEYSPACE, f"it-commands-{run}", "it-owner", 15),
        KafkaEventLog(producer, topics.DEVICE_MODEL_EVENTS, EVENT_TYPE),
        per_shard=2,
    )
    assert await relay.relay_pending() == 6  # 3 states of one, 2 of the next, 1 of the third; the lost row dropped
    assert await relay.relay_pending() == 0

    records = await read_until_end_marks(
        infra.kafka_bootstrap, producer, topics.DEVICE_MODEL_EVENTS, [station, other], f"it-commands-{run}"
    )
    assert {dict(r.headers)["event_type"] for rs in records.values() for r in rs} == {EVENT_TYPE.encode()}
    read = {key: [pb.DeviceModelEvent.FromString(r.value) for r in rs] for key, rs in records.items()}

    def seen(events: list[pb.DeviceModelEvent]) -> list[tuple[str, str | None]]:
        which = [e.WhichOneof("event") for e in events]
        return [(getattr(e, w or "").command.command_id, w) for e, w in zip(events, which, strict=True)]

    assert seen(read[station]) == [
        (answered.command_id, "command_queued"),
        (answered.command_id, "command_sent"),
        (answered.command_id, "command_answered"),
        (kept.command_id, "command_queued"),
        (kept.command_id, "command_expired"),
    ]
    assert seen(read[other]) == [(elsewhere.command_id, "command_queued")]
    assert read[station][2].command_answered.command.state == pb.COMMAND_STATE_ANSWERED
