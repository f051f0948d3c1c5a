"""Operator commands to a connected station over fakes: recorded, sent once, the station's answer read back as
the neutral result with the raw frames; refusals before anything is stored (unknown command or station, invalid
params, what the version cannot express, offline); failures (timeout, disconnect, CALLERROR, an answer outside
the schema); sent in the background; read back by id and by station."""

from __future__ import annotations

import asyncio
import json
from datetime import timedelta

import grpc
import pytest

from csms_device_model.app.operator_commands import NewCommand
from csms_device_model.domain.commands.record import CallError, CommandState, OcppCall
from csms_device_model.ports import CallErrorReply, CallResult
from csms_kernel.clients.station_calls import CallTimedOut, StationCallError, StationOffline
from csms_kernel.ocpp.versions import OcppVersion
from kit.builders.device_model import NOW, CommandsWorld
from kit.waiting import wait_until

RESET = NewCommand("CS-1", "reset", {"type": "hard"})


@pytest.fixture
def world() -> CommandsWorld:
    found = CommandsWorld()
    found.connect("CS-1")
    return found


async def test_a_command_is_recorded_sent_and_answered(world: CommandsWorld) -> None:
    world.edges.outcomes.append(CallResult("m-1", '{"status": "Accepted"}'))
    record = await world.instance().send(RESET)
    assert world.edges.calls == [("CS-1", "Reset", '{"type": "Hard"}', 30.0)]
    assert record.state is CommandState.ANSWERED
    assert (record.result, record.responses, record.call_error) == (
        {"status": "accepted"},
        ([3, "m-1", {"status": "Accepted"}],),
        None,
    )
    assert (record.ocpp_version, record.calls) == (OcppVersion.V16, (OcppCall("Reset", {"type": "Hard"}),))
    assert (record.created_at, record.sent_at, record.finished_at) == (
        NOW,
        NOW.replace(microsecond=124000),
        NOW.replace(microsecond=124000),
    )
    assert world.store.records[record.command_id] == record
    assert world.store.open == {}  # finished
    assert world.changes == ["changed"] * 3  # created, sent, answered: each wakes the event relay


async def test_a_call_error_is_an_answer(world: CommandsWorld) -> None:
    world.edges.outcomes.append(CallErrorReply("m-1", "NotSupported", "no resets here", '{"a": 1}'))
    record = await world.instance().send(RESET)
    assert (record.state, record.result, record.call_error) == (
        CommandState.ANSWERED,
        None,
        CallError("NotSupported", "no resets here", '{"a": 1}'),
    )
    assert record.responses == ([4, "m-1", "NotSupported", "no resets here", {"a": 1}],)


@pytest.mark.parametrize(
    ("failure", "text"),
    [
        (CallTimedOut("station CS-1 did not answer in time"), "timeout: station CS-1 did not answer in time"),
        (StationOffline("station CS-1 disconnected"), "offline: station CS-1 disconnected"),
        (StationCallError("edge node failed the call"), "refused: edge node failed the call"),
    ],
)
async def test_no_answer_fails_the_command(world: CommandsWorld, failure: Exception, text: str) -> None:
    world.edges.outcomes.append(failure)
    record = await world.instance().send(RESET)
    assert (record.state, record.failure, record.result) == (CommandState.FAILED, text, None)


async def test_an_answer_outside_the_schema_fails_the_command(world: CommandsWorld) -> None:
    world.edges.outcomes.append(CallResult("m-1", '{"state": "Accepted"}'))
    record = await world.instance().send(RESET)
    assert record.state is CommandState.FAILED
    assert record.failure.startswith("answer not understood: the station's Reset answer")
    assert record.responses == ([3, "m-1", {"state": "Accepted"}],)


async def test_a_command_of_several_calls_stops_at_the_first_without_a_result(world: CommandsWorld) -> None:
    world.edges.outcomes += [
        CallResult("m-1", '{"status": "Accepted"}'),
        CallErrorReply("m-2", "InternalError", "", "{}"),
    ]
    settings = [{"key": "HeartbeatInterval", "value": 60}, {"key": "A", "value": 1}, {"key": "B", "value": 2}]
    record = await world.instance().send(NewCommand("CS-1", "set-configuration", {"settings": settings}))
    assert [call[1:3] for call in world.edges.calls] == [
        ("ChangeConfiguration", '{"key": "HeartbeatInterval", "value": "60"}'),
        ("ChangeConfiguration", '{"key": "A", "value": "1"}'),
    ]
    assert (record.state, record.call_error, len(record.responses)) == (
        CommandState.ANSWERED,
        CallError("InternalError", "", "{}"),
        2,
    )


async def test_every_call_of_a_command_shares_its_timeout(world: CommandsWorld) -> None:
    def slow(action: str, payload: str) -> CallResult:
        world.clock.now += timedelta(seconds=4)
        return CallResult("m", '{"status": "Accepted"}')

    world.edges.outcomes += [slow, slow, slow]
    settings = [{"key": k, "value": 1} for k in ("A", "B", "C")]
    record = await world.instance().send(NewCommand("CS-1", "set-configuration", {"settings": settings}, timeout_s=10))
    assert [round(call[3]) for call in world.edges.calls] == [10, 6, 2]
    assert record.state is CommandState.ANSWERED


@pytest.mark.parametrize(
    ("new", "status", "message"),
    [
        (NewCommand("CS-1", "reboot", {}), grpc.StatusCode.NOT_FOUND, "unknown command 'reboot' (commands: reset, "),
        (NewCommand("CS-9", "reset", {"type": "hard"}), grpc.StatusCode.NOT_FOUND, "station CS-9 has never connected"),
        (NewCommand("CS-1", "reset", {}), grpc.StatusCode.INVALID_ARGUMENT, "params.type: is required"),
        (
            NewCommand("CS-1", "reset", {"type": "on_idle"}),
            grpc.StatusCode.INVALID_ARGUMENT,
            "reset for CS-1 (ocpp1.6): OCPP 1.6 has no on_idle reset",
        ),
        (
            NewCommand("CS-1", "reset", {"type": "hard"}, queue_if_offline=True),
            grpc.StatusCode.INVALID_ARGUMENT,
            "expires_at: is required with queue_if_offline",
        ),
        (
            NewCommand("CS-1", "reset", {"type": "hard"}, expires_at=NOW + timedelta(hours=1)),
            grpc.StatusCode.INVALID_ARGUMENT,
            "expires_at: only applies with queue_if_offline",
        ),
        (
            NewCommand("CS-1", "reset", {"type": "hard"}, queue_if_offline=True, expires_at=NOW),
            grpc.StatusCode.INVALID_ARGUMENT,
            "has passed",
        ),
    ],
)
async def test_refused_before_anything_is_stored(
    world: CommandsWorld, new: NewCommand, status: grpc.StatusCode, message: str
) -> None:
    with pytest.raises(StationCallError) as refused:
        await world.instance().send(new)
    assert (refused.value.status, message in str(refused.value)) == (status, True), str(refused.value)
    assert (world.store.records, world.edges.calls) == ({}, [])


async def test_an_offline_station_without_queueing_is_refused(world: CommandsWorld) -> None:
    world.disconnect("CS-1")
    with pytest.raises(StationOffline, match="station CS-1 is offline") as refused:
        await world.instance().send(RESET)
    assert refused.value.status == grpc.StatusCode.FAILED_PRECONDITION
    assert world.store.records == {}


async def test_without_waiting_it_returns_once_recorded_and_sends_in_the_background(world: CommandsWorld) -> None:
    world.edges.gate = asyncio.Event()
    world.edges.outcomes.append(CallResult("m-1", '{"status": "Rejected"}'))
    commands = world.instance()
    running = asyncio.create_task(commands.run())
    try:
        record = await commands.send(NewCommand("CS-1", "reset", {"type": "soft"}, wait=False))
        assert record.state is CommandState.QUEUED
        await wait_until(lambda: world.store.records[record.command_id].state is CommandState.SENT)
        assert (await commands.get(record.command_id)).state is CommandState.SENT
        world.edges.gate.set()
        await wait_until(lambda: world.store.records[record.command_id].state is CommandState.ANSWERED)
        assert (await commands.get(record.command_id)).result == {"status": "rejected"}
    finally:
        running.cancel()
        await asyncio.gather(running, return_exceptions=True)


async def test_stopping_cancels_background_sends(world: CommandsWorld) -> None:
    world.edges.gate = asyncio.Event()
    commands = world.instance()
    running = asyncio.create_task(commands.run())
    record = await commands.send(NewCommand("CS-1", "clear-cache", {}, wait=False))
    await wait_until(lambda: world.edges.in_flight == 1)
    running.cancel()
    await asyncio.gather(running, return_exceptions=True)
    assert world.edges.in_flight == 0
    assert world.store.records[record.command_id].state is CommandState.SENT  # the sweep settles it


async def test_read_back_by_id_and_by_station(world: CommandsWorld) -> None:
    world.edges.outcomes += [CallResult(f"m-{i}", '{"status": "Accepted"}') for i in range(3)]
    commands = world.instance()
    sent = []
    for _ in range(3):
        sent.append(await commands.send(NewCommand("CS-1", "clear-cache", {})))
        world.clock.now += timedelta(milliseconds=1)
    assert await commands.get(sent[1].command_id) == sent[1]
    page, token = await commands.station_commands("CS-1", 2, "")
    rest, last = await commands.station_commands("CS-1", 2, token)
    assert [r.command_id for r in [*page, *rest]] == ["cmd-3", "cmd-2", "cmd-1"]
    assert last == ""
    with pytest.raises(StationCallError, match="no command nope") as missing:
        await commands.get("nope")
    assert missing.value.status == grpc.StatusCode.NOT_FOUND


async def test_raw_payloads_go_as_given(world: CommandsWorld) -> None:
    world.connect("CS-2", OcppVersion.V201)
    world.edges.outcomes.append(CallResult("m-1", '{"status": "Accepted"}'))
    params = {"action": "GetBaseReport", "payload": {"requestId": 7, "reportBase": "SummaryInventory"}}
    record = await world.instance().send(NewCommand("CS-2", "raw", params))
    assert [(c[1], json.loads(c[2])) for c in world.edges.calls] == [("GetBaseReport", params["payload"])]
    assert record.result == {"status": "Accepted"}
