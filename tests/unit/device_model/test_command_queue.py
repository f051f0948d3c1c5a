"""Commands kept for offline stations (queue_if_offline) over fakes: delivered once the station is connected and
its last boot was Accepted, in creation order, one at a time, each sent once even when several instances drain
the same queue; expired on read and by the sweep; re-translated when the station came back on another version;
and the sweep's other work: outcome unknown for a command whose sender stopped, never sent for one whose
instance stopped before sending, finishing what a stopped finisher left, resuming deliveries."""

from __future__ import annotations

import asyncio
import json
from datetime import timedelta

import pytest

from csms_device_model.app.command_sweeper import CommandSweeper
from csms_device_model.app.operator_commands import NewCommand, OperatorCommands
from csms_device_model.domain.commands.record import CommandState
from csms_device_model.ports import CallResult
from csms_kernel.clients.station_calls import StationOffline
from csms_kernel.ocpp.versions import OcppVersion
from kit.builders.device_model import NOW, CommandsWorld, a_command
from kit.fakes.device_model import ScriptedEdges
from kit.fakes.outbox import FakeLease
from kit.waiting import wait_until

HOUR = timedelta(hours=1)
OK = CallResult("m", '{"status": "Accepted"}')


def queued(command: str, params: dict[str, object], **fields: object) -> NewCommand:
    values: dict[str, object] = {"queue_if_offline": True, "expires_at": NOW + HOUR, **fields}
    return NewCommand("CS-1", command, params, **values)  # type: ignore[arg-type]


@pytest.fixture
def world() -> CommandsWorld:
    found = CommandsWorld()
    found.disconnect("CS-1")
    return found


async def queue_three(world: CommandsWorld, commands: OperatorCommands) -> list[str]:
    ids = []
    for params in ({"type": "soft"}, {"type": "hard"}, {"type": "soft"}):
        record = await commands.send(queued("reset", params))
        assert (record.state, world.edges.calls) == (CommandState.QUEUED, [])
        ids.append(record.command_id)
        world.clock.now += timedelta(milliseconds=1)
    return ids


async def test_queued_commands_go_once_the_station_is_back_in_creation_order(world: CommandsWorld) -> None:
    commands = world.instance()
    ids = await queue_three(world, commands)
    await commands.drain("CS-1")
    assert world.edges.calls == []  # still offline

    world.connect("CS-1")
    world.edges.outcomes += [OK, OK, OK]
    await commands.drain("CS-1")

    assert [call[2] for call in world.edges.calls] == ['{"type": "Soft"}', '{"type": "Hard"}', '{"type": "Soft"}']
    assert world.edges.most_in_flight == 1
    assert [world.store.records[i].state for i in ids] == [CommandState.ANSWERED] * 3
    assert (await world.store.queued("CS-1"), world.store.open) == ([], {})


@pytest.mark.parametrize("registration", [None, "Rejected"])
async def test_not_before_the_first_boot_nor_while_rejected(world: CommandsWorld, registration: str | None) -> None:
    commands = world.instance()
    await commands.send(queued("clear-cache", {}))
    world.connect("CS-1")
    if registration is None:
        del world.stations.registrations["CS-1"]
    else:
        world.stations.registrations["CS-1"] = registration
    await commands.drain("CS-1")
    assert world.edges.calls == []
    world.stations.registrations["CS-1"] = "Accepted"
    world.edges.outcomes.append(OK)
    await commands.drain("CS-1")
    assert [call[1] for call in world.edges.calls] == ["ClearCache"]


async def test_delivered_while_pending(world: CommandsWorld) -> None:
    """OCPP 2.0.1 B02 / 1.6 §4.2: the CSMS may read and configure a Pending station."""
    commands = world.instance()
    await commands.send(queued("clear-cache", {}))
    world.connect("CS-1")
    world.stations.registrations["CS-1"] = "Pending"
    world.edges.outcomes.append(OK)
    await commands.drain("CS-1")
    assert [call[1] for call in world.edges.calls] == ["ClearCache"]


async def test_several_instances_draining_one_queue_send_each_command_once_in_order(world: CommandsWorld) -> None:
    ids = await queue_three(world, world.instance())
    world.connect("CS-1")
    edges = ScriptedEdges(outcomes=[OK, OK, OK], gate=asyncio.Event())
    instances = [world.instance(edges) for _ in range(3)]

    drains = [asyncio.create_task(i.drain("CS-1")) for i in instances]
    await wait_until(lambda: sum(d.done() for d in drains) == 2)  # the others found the head taken
    assert edges.in_flight == 1
    edges.gate.set()
    await asyncio.gather(*drains)
    for instance in instances:  # the queue is done whoever looks
        await instance.drain("CS-1")

    assert [call[2] for call in edges.calls] == ['{"type": "Soft"}', '{"type": "Hard"}', '{"type": "Soft"}']
    assert [world.store.records[i].state for i in ids] == [CommandState.ANSWERED] * 3


async def test_a_command_taken_by_another_instance_is_not_sent_again(world: CommandsWorld) -> None:
    (first, *_) = await queue_three(world, world.instance())
    world.connect("CS-1")
    record = world.store.records[first]
    one, other = world.instance(ScriptedEdges([OK])), world.instance(ScriptedEdges([OK]))
    presence = world.stations.presences["CS-1"]
    results = await asyncio.gather(one.deliver(record, presence), other.deliver(record, presence))
    assert sorted(r is None for r in results) == [False, True]
    assert world.store.records[first].state is CommandState.ANSWERED


async def test_an_expired_command_is_reported_expired_on_read_and_never_sent(world: CommandsWorld) -> None:
    commands = world.instance()
    record = await commands.send(queued("clear-cache", {}, expires_at=NOW + timedelta(seconds=10)))
    assert (await commands.get(record.command_id)).state is CommandState.QUEUED
    world.clock.now += timedelta(seconds=10)
    expired = await commands.get(record.command_id)
    assert (expired.state, expired.finished_at) == (
        CommandState.EXPIRED,
        (NOW + timedelta(seconds=10)).replace(microsecond=124000),
    )
    world.connect("CS-1")
    await commands.drain("CS-1")
    assert world.edges.calls == []
    assert world.store.open == {}


async def test_the_sweep_expires_queued_commands_and_resumes_deliveries(world: CommandsWorld) -> None:
    commands = world.instance()
    soon = await commands.send(queued("clear-cache", {}, expires_at=NOW + timedelta(seconds=5)))
    later = await commands.send(queued("reset", {"type": "hard"}))
    sweeper = CommandSweeper(world.store, commands, FakeLease())
    running = asyncio.create_task(commands.run())
    try:
        world.clock.now += timedelta(seconds=5)
        world.connect("CS-1")  # a drain that should have run did not (its instance stopped)
        world.edges.outcomes.append(OK)
        await sweeper.sweep()
        await _settled(world, later.command_id)
    finally:
        running.cancel()
        await asyncio.gather(running, return_exceptions=True)
    assert world.store.records[soon.command_id].state is CommandState.EXPIRED
    assert [call[1] for call in world.edges.calls] == ["Reset"]


async def test_the_sweep_reports_a_command_whose_sender_stopped_as_outcome_unknown(world: CommandsWorld) -> None:
    world.connect("CS-1")
    commands = world.instance()
    record = await commands.send(NewCommand("CS-1", "clear-cache", {}, wait=False, timeout_s=10))
    sent = record.sending(NOW.replace(microsecond=0), OcppVersion.V16, record.calls)
    assert await world.store.change(CommandState.QUEUED, sent)  # ... and its instance stopped
    sweeper = CommandSweeper(world.store, commands, FakeLease())

    world.clock.now += timedelta(seconds=24)
    await sweeper.sweep()
    assert world.store.records[record.command_id].state is CommandState.SENT  # within timeout + grace
    world.clock.now += timedelta(seconds=2)
    await sweeper.sweep()
    failed = world.store.records[record.command_id]
    assert failed.state is CommandState.FAILED
    assert failed.failure.startswith("outcome unknown: the device-model instance that sent it stopped")
    assert world.store.open == {}


async def test_the_sweep_fails_a_command_never_sent_because_its_instance_stopped(world: CommandsWorld) -> None:
    world.connect("CS-1")
    commands = world.instance()
    record = a_command(command_id="cmd-1", station_id="CS-1")
    await world.store.create(record)  # ... and its instance stopped before sending it
    world.clock.now += timedelta(seconds=44)
    await CommandSweeper(world.store, commands, FakeLease()).sweep()
    assert world.store.records[record.command_id].state is CommandState.QUEUED  # within timeout + grace
    world.clock.now += timedelta(seconds=2)
    await CommandSweeper(world.store, commands, FakeLease()).sweep()
    failed = world.store.records[record.command_id]
    assert (failed.state, failed.failure) == (
        CommandState.FAILED,
        "not sent: the device-model instance that took it stopped first",
    )
    assert world.edges.calls == []


async def test_the_sweep_finishes_what_a_stopped_finisher_left(world: CommandsWorld) -> None:
    commands = world.instance()
    record = await commands.send(queued("clear-cache", {}))
    expired = record.expired(NOW)
    await world.store.change(CommandState.QUEUED, expired)  # ... and stopped before taking it out of the queue
    await CommandSweeper(world.store, commands, FakeLease()).sweep()
    assert (await world.store.queued("CS-1"), world.store.open) == ([], {})


async def test_only_the_holder_of_the_lease_sweeps(world: CommandsWorld) -> None:
    commands = world.instance()
    record = await commands.send(queued("clear-cache", {}, expires_at=NOW + timedelta(seconds=1)))
    world.clock.now += timedelta(seconds=2)
    lease = FakeLease(held=False)
    running = asyncio.create_task(CommandSweeper(world.store, commands, lease, interval_s=0.001, lease_s=0.003).run())
    await wait_until(lambda: lease.acquired >= 3)  # asked for the lease again and again
    running.cancel()
    await asyncio.gather(running, return_exceptions=True)
    assert world.store.records[record.command_id].state is CommandState.QUEUED


async def test_a_station_back_on_another_version_gets_the_command_in_that_version(world: CommandsWorld) -> None:
    commands = world.instance()
    keep = await commands.send(queued("get-configuration", {"keys": ["HeartbeatInterval"]}))
    refuse = await commands.send(queued("reset", {"type": "hard"}))
    world.connect("CS-1", OcppVersion.V201)
    found = {
        "attributeStatus": "Accepted",
        "attributeValue": "300",
        "component": {"name": "OCPPCommCtrlr"},
        "variable": {"name": "HeartbeatInterval"},
    }
    world.edges.outcomes.append(CallResult("m", json.dumps({"getVariableResult": [found]})))
    await commands.drain("CS-1")
    sent = world.store.records[keep.command_id]
    assert [call[1] for call in world.edges.calls] == ["GetVariables"]
    assert (sent.ocpp_version, sent.result) == (
        OcppVersion.V201,
        {"configuration": [{"key": "HeartbeatInterval", "value": "300"}], "unknown_keys": [], "rejected": []},
    )
    refused = world.store.records[refuse.command_id]
    assert refused.state is CommandState.FAILED
    assert refused.failure.startswith("not expressible: the station is on ocpp2.0.1 now: OCPP 2.0.1 has no hard reset")


async def test_a_station_gone_again_mid_queue_keeps_the_rest(world: CommandsWorld) -> None:
    commands = world.instance()
    ids = await queue_three(world, commands)
    world.connect("CS-1")

    def gone(action: str, payload: str) -> CallResult:
        world.disconnect("CS-1")
        raise StationOffline("station CS-1 disconnected")

    world.edges.outcomes += [OK, gone]
    await commands.drain("CS-1")
    states = [world.store.records[i].state for i in ids]
    assert states == [CommandState.ANSWERED, CommandState.FAILED, CommandState.QUEUED]
    assert world.store.records[ids[1]].failure == "offline: station CS-1 disconnected"
    assert await world.store.queued("CS-1") == [ids[2]]


async def test_a_trigger_while_a_drain_runs_drains_again_after_it(world: CommandsWorld) -> None:
    commands = world.instance()
    running = asyncio.create_task(commands.run())
    try:
        world.connect("CS-1")
        world.edges.gate = asyncio.Event()
        world.edges.outcomes += [OK, OK]
        first = await commands.send(queued("clear-cache", {}, wait=False))
        await wait_until(lambda: world.edges.in_flight == 1)  # the first is in flight, sent directly
        world.disconnect("CS-1")
        second = await commands.send(queued("clear-cache", {}))
        world.connect("CS-1")
        commands.trigger("CS-1")
        commands.trigger("CS-1")
        world.edges.gate.set()
        await _settled(world, second.command_id)
        assert world.store.records[first.command_id].state is CommandState.ANSWERED
        assert len(world.edges.calls) == 2
    finally:
        running.cancel()
        await asyncio.gather(running, return_exceptions=True)


async def _settled(world: CommandsWorld, command_id: str) -> None:
    await wait_until(lambda: world.store.records[command_id].state.final)


async def test_a_storm_of_stations_is_drained_a_few_at_a_time(world: CommandsWorld) -> None:
    commands = OperatorCommands(
        world.store, world.stations, world.edges, world.clock, default_timeout_s=30, grace_s=15, deliveries=3
    )
    gate, reading, most = asyncio.Event(), [0], [0]
    looked: list[str] = []

    async def queued(station_id: str) -> list[str]:
        reading[0] += 1
        most[0] = max(most[0], reading[0])
        await gate.wait()
        reading[0] -= 1
        looked.append(station_id)
        return []

    world.store.queued = queued  # type: ignore[method-assign]
    running = asyncio.create_task(commands.run())
    try:
        for n in range(50):
            commands.trigger(f"CS-{n}")
            commands.trigger(f"CS-{n}")  # asked twice before its turn: drained once
        await wait_until(lambda: reading[0] == 3)
        gate.set()
        await wait_until(lambda: len(looked) == 50)
    finally:
        running.cancel()
        await asyncio.gather(running, return_exceptions=True)
    assert most[0] == 3
    assert sorted(looked) == sorted(f"CS-{n}" for n in range(50))
