"""Command events through the kernel's outbox relay over fakes: each state a command reached is published once
Kafka took it, in order per station, carrying the command as it was then, whatever stopped in between; outbox
rows of changes that lost their compare-and-set are dropped unpublished."""

from __future__ import annotations

from datetime import timedelta

from csms.device_model.v1 import device_model_pb2
from csms_device_model.app.operator_commands import NewCommand
from csms_device_model.domain.commands.record import CommandState
from csms_device_model.ports import CallResult
from csms_kernel.infra.envelopes import timestamp, to_datetime
from csms_kernel.outbox.relay import EventLogUnavailable, OutboxRelay
from kit.builders.device_model import NOW, CommandsWorld
from kit.fakes.device_model import InMemoryCommandOutbox, RecordingDeviceModelEvents
from kit.fakes.outbox import FakeLease


def relay(world: CommandsWorld, events: RecordingDeviceModelEvents) -> OutboxRelay:  # type: ignore[type-arg]
    return OutboxRelay(InMemoryCommandOutbox(world.store), FakeLease(), events)


async def test_every_state_is_published_once_in_order_with_the_command_as_it_was() -> None:
    world = CommandsWorld()
    world.connect("CS-1")
    world.edges.outcomes.append(CallResult("m-1", '{"status": "Accepted"}'))
    world.clock.now = NOW
    record = await world.instance().send(NewCommand("CS-1", "reset", {"type": "hard"}))
    events = RecordingDeviceModelEvents()

    assert await relay(world, events).relay_pending() == 3
    assert await relay(world, events).relay_pending() == 0
    assert events.states() == [
        ("cmd-1", "command_queued"),
        ("cmd-1", "command_sent"),
        ("cmd-1", "command_answered"),
    ]
    queued, sent, answered = events.published
    assert (queued.station_id, queued.message_id, queued.occurred_at) == ("CS-1", "", timestamp(NOW))
    assert queued.command_queued.command.state == device_model_pb2.COMMAND_STATE_QUEUED
    assert not queued.command_queued.command.HasField("sent_at")
    assert sent.command_sent.command.state == device_model_pb2.COMMAND_STATE_SENT
    assert sent.command_sent.command.result_json == ""
    assert answered.command_answered.command.result_json == '{"status": "accepted"}'
    assert to_datetime(answered.occurred_at) == record.finished_at


async def test_events_wait_while_kafka_is_down() -> None:
    world = CommandsWorld()
    world.disconnect("CS-1")
    await world.instance().send(
        NewCommand("CS-1", "clear-cache", {}, queue_if_offline=True, expires_at=NOW + timedelta(hours=1))
    )
    events = RecordingDeviceModelEvents(failures=1)
    try:
        await relay(world, events).relay_pending()
    except EventLogUnavailable:
        pass
    assert events.published == [] and len(world.store.outbox) == 1
    assert await relay(world, events).relay_pending() == 1
    assert events.states() == [("cmd-1", "command_queued")]
    assert world.store.outbox == set()


async def test_a_state_stored_while_no_relay_ran_is_published_by_the_next() -> None:
    world = CommandsWorld()
    world.disconnect("CS-1")
    commands = world.instance()
    record = await commands.send(
        NewCommand("CS-1", "clear-cache", {}, queue_if_offline=True, expires_at=NOW + timedelta(seconds=1))
    )
    world.clock.now += timedelta(seconds=2)
    await commands.get(record.command_id)  # expires it; the instance "stops" before any relay ran
    events = RecordingDeviceModelEvents()
    assert await relay(world, events).relay_pending() == 2
    assert events.states() == [("cmd-1", "command_queued"), ("cmd-1", "command_expired")]


async def test_the_row_of_a_change_that_lost_is_dropped_unpublished() -> None:
    world = CommandsWorld()
    world.disconnect("CS-1")
    commands = world.instance()
    record = await commands.send(
        NewCommand("CS-1", "clear-cache", {}, queue_if_offline=True, expires_at=NOW + timedelta(hours=1))
    )
    expired = record.expired(NOW)
    assert await world.store.change(CommandState.QUEUED, expired)
    sent = record.sending(NOW, record.ocpp_version, record.calls)
    assert not await world.store.change(CommandState.QUEUED, sent)  # its outbox row was written first
    events = RecordingDeviceModelEvents()
    assert await relay(world, events).relay_pending() == 2
    assert events.states() == [("cmd-1", "command_queued"), ("cmd-1", "command_expired")]
    assert world.store.outbox == set()


async def test_a_row_whose_change_may_still_come_waits() -> None:
    world = CommandsWorld()
    world.disconnect("CS-1")
    record = await world.instance().send(
        NewCommand("CS-1", "clear-cache", {}, queue_if_offline=True, expires_at=NOW + timedelta(hours=1))
    )
    events = RecordingDeviceModelEvents()
    await relay(world, events).relay_pending()
    world.store.outbox.add(world.store._row(record.sending(NOW, record.ocpp_version, record.calls)))
    assert await relay(world, events).relay_pending() == 0  # the compare-and-set of that row has not run yet
    assert len(world.store.outbox) == 1
