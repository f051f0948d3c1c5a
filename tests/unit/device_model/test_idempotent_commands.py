"""Operator commands with an idempotency key: a repeat gets the command the first request made and the station
one CALL, whether the first finished, is still queued, races it, or its sender stopped between the record and its
indexes; a key naming another command is refused."""

from __future__ import annotations

import asyncio
import dataclasses

import grpc
import pytest

from csms_device_model.app.operator_commands import IdempotencyConflict, NewCommand, idempotent_command_id
from csms_device_model.domain.commands.record import CommandRecord, CommandState
from csms_device_model.ports import CallResult
from csms_kernel.ocpp.versions import OcppVersion
from kit.builders.device_model import NOW, CommandsWorld

RESET = NewCommand("CS-1", "reset", {"type": "hard"}, idempotency_key="campaign-7/CS-1/1")
ACCEPTED = CallResult("m-1", '{"status": "Accepted"}')


@pytest.fixture
def world() -> CommandsWorld:
    found = CommandsWorld()
    found.connect("CS-1")
    return found


def test_the_command_id_is_derived_from_the_station_and_the_key() -> None:
    assert idempotent_command_id("CS-1", "k") == idempotent_command_id("CS-1", "k")
    assert idempotent_command_id("CS-1", "k") != idempotent_command_id("CS-2", "k")
    assert idempotent_command_id("CS-1", "k") != idempotent_command_id("CS-1", "k2")


async def test_a_repeat_returns_the_answered_command_without_a_second_call(world: CommandsWorld) -> None:
    world.edges.outcomes.append(ACCEPTED)
    first = await world.instance().send(RESET)
    again = await world.instance().send(RESET)
    assert first.command_id == idempotent_command_id("CS-1", "campaign-7/CS-1/1")
    assert again == first
    assert again.state is CommandState.ANSWERED
    assert len(world.edges.calls) == 1
    assert len(world.store.records) == 1


async def test_a_key_used_for_another_command_is_refused(world: CommandsWorld) -> None:
    world.edges.outcomes.append(ACCEPTED)
    await world.instance().send(RESET)
    with pytest.raises(IdempotencyConflict, match="was used for another command") as refused:
        await world.instance().send(dataclasses.replace(RESET, params={"type": "soft"}))
    assert refused.value.status is grpc.StatusCode.ALREADY_EXISTS
    assert len(world.edges.calls) == 1


async def test_a_command_left_queued_without_indexes_is_indexed_and_sent_once(world: CommandsWorld) -> None:
    """The first sender stopped after storing the record, before its indexes and the CALL."""
    command_id = idempotent_command_id("CS-1", RESET.idempotency_key)
    world.store.records[command_id] = CommandRecord(
        command_id=command_id,
        station_id="CS-1",
        command="reset",
        params={"type": "hard"},
        state=CommandState.QUEUED,
        ocpp_version=OcppVersion.V16,
        calls=(),
        timeout_s=30.0,
        created_at=NOW,
    )
    world.edges.outcomes.append(ACCEPTED)
    again = await world.instance().send(RESET)
    assert (again.command_id, again.state) == (command_id, CommandState.ANSWERED)
    assert world.edges.calls == [("CS-1", "Reset", '{"type": "Hard"}', 30.0)]
    assert [entry for _, entry in world.store.by_station["CS-1"]] == [command_id]
    assert command_id not in world.store.open  # indexed, then finished


async def test_racing_repeats_make_one_command_and_one_call(
    world: CommandsWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Both requests look before either stored the record (as two instances on Cassandra may)."""
    store_get = world.store.get

    async def slow_get(command_id: str) -> CommandRecord | None:
        found = await store_get(command_id)
        await asyncio.sleep(0.01)
        return found

    monkeypatch.setattr(world.store, "get", slow_get)
    world.edges.outcomes.append(ACCEPTED)
    first, second = await asyncio.gather(world.instance().send(RESET), world.instance().send(RESET))
    assert first.command_id == second.command_id
    assert (first.state, second.state) == (CommandState.ANSWERED, CommandState.ANSWERED)
    assert len(world.edges.calls) == 1
    assert len(world.store.records) == 1
