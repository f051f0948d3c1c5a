"""set-password and set-security-profile over fakes: the pending credential is registered before the station is
told and stays whenever the station may have taken it; it is cancelled when the station rejects; the password is
never in the record; offline stations, queueing, downgrades and registry refusals are refused before anything is
stored or sent."""

from __future__ import annotations

import asyncio
import json
import logging
from datetime import timedelta
from typing import Any

import grpc
import pytest

from csms_device_model.app.operator_commands import NewCommand
from csms_device_model.domain.commands.credentials import CredentialChange
from csms_device_model.domain.commands.record import CommandState
from csms_device_model.ports import CallErrorReply, CallResult, CredentialsRefused, CredentialsUnavailable
from csms_kernel.clients.station_calls import CallTimedOut, StationCallError, StationOffline
from csms_kernel.ocpp.versions import OcppVersion
from kit.builders.device_model import NOW, CommandsWorld
from kit.waiting import wait_until

PASSWORD = "a-brand-new-password-42"
SET_PASSWORD = NewCommand("CS-2", "set-password", {"password": PASSWORD})
UPGRADE = NewCommand(
    "CS-2",
    "set-security-profile",
    {"security_profile": 2, "csms_url": "wss://csms.example/ocpp", "configuration_slot": 2, "fallback_slots": [1]},
)


def variable_answer(status: str, component: str = "SecurityCtrlr", name: str = "BasicAuthPassword") -> CallResult:
    result = {"attributeStatus": status, "component": {"name": component}, "variable": {"name": name}}
    return CallResult("m", json.dumps({"setVariableResult": [result]}))


def priority_answer(status: str) -> CallResult:
    return variable_answer(status, "OCPPCommCtrlr", "NetworkConfigurationPriority")


@pytest.fixture
def world() -> CommandsWorld:
    found = CommandsWorld()
    found.connect("CS-2", OcppVersion.V201)
    found.credentials.profiles["CS-2"] = 1
    return found


async def test_the_pending_password_is_registered_before_the_station_is_told_and_kept_when_it_accepts(
    world: CommandsWorld,
) -> None:
    def station(action: str, payload: str) -> CallResult:
        assert world.credentials.pending_passwords["CS-2"] == PASSWORD  # registered before the send
        return variable_answer("Accepted")

    world.edges.outcomes.append(station)
    record = await world.instance().send(SET_PASSWORD)
    assert (record.state, record.result) == (CommandState.ANSWERED, {"status": "accepted"})
    assert json.loads(world.edges.calls[0][2])["setVariableData"][0]["attributeValue"] == PASSWORD
    assert world.credentials.changes == [("set", "CS-2", CredentialChange(password=PASSWORD))]


async def test_the_password_is_never_in_the_record_nor_its_stored_copy(world: CommandsWorld) -> None:
    world.edges.outcomes.append(variable_answer("Accepted"))
    record = await world.instance().send(SET_PASSWORD)
    stored = world.store.records[record.command_id]
    for kept in (record, stored):
        assert kept.params == {"password": "<redacted>"}
        assert PASSWORD not in json.dumps([call.as_json() for call in kept.calls])
        assert PASSWORD not in repr(kept)


@pytest.mark.parametrize(
    "answer",
    [variable_answer("Rejected"), CallErrorReply("m", "NotSupported", "", "{}"), StationOffline("CS-2 disconnected")],
    ids=["rejected", "call-error", "never-written"],
)
async def test_the_pending_password_is_cancelled_when_the_station_certainly_did_not_take_it(
    world: CommandsWorld, answer: Any
) -> None:
    world.edges.outcomes.append(answer)
    await world.instance().send(SET_PASSWORD)
    assert [change[0] for change in world.credentials.changes] == ["set", "cancel"]
    assert world.credentials.pending_passwords["CS-2"] == ""


@pytest.mark.parametrize(
    "answer",
    [CallTimedOut("no answer"), CallResult("m", '{"garbled": true}'), variable_answer("RebootRequired")],
    ids=["timeout", "not-understood", "reboot-required"],
)
async def test_the_pending_password_stays_when_the_station_may_have_taken_it(world: CommandsWorld, answer: Any) -> None:
    world.edges.outcomes.append(answer)
    await world.instance().send(SET_PASSWORD)
    assert [change[0] for change in world.credentials.changes] == ["set"]
    assert world.credentials.pending_passwords["CS-2"] == PASSWORD


async def test_a_failed_cancellation_is_logged_without_the_password(
    world: CommandsWorld, caplog: pytest.LogCaptureFixture
) -> None:
    def rejected_then_registry_down(action: str, payload: str) -> CallResult:
        world.credentials.failure = CredentialsUnavailable("authorization service: UNAVAILABLE")
        return variable_answer("Rejected")

    world.edges.outcomes.append(rejected_then_registry_down)
    with caplog.at_level(logging.WARNING):
        record = await world.instance().send(SET_PASSWORD)
    assert record.result == {"status": "rejected"}
    assert "cancelling the pending one failed" in caplog.text and PASSWORD not in caplog.text


async def test_without_waiting_the_outcome_settles_the_pending_password_in_the_background(
    world: CommandsWorld,
) -> None:
    world.edges.gate = asyncio.Event()
    world.edges.outcomes.append(variable_answer("Rejected"))
    commands = world.instance()
    running = asyncio.create_task(commands.run())
    try:
        record = await commands.send(NewCommand("CS-2", "set-password", {"password": PASSWORD}, wait=False))
        assert world.credentials.pending_passwords["CS-2"] == PASSWORD
        world.edges.gate.set()
        await wait_until(lambda: world.store.records[record.command_id].state is CommandState.ANSWERED)
        await wait_until(lambda: world.credentials.pending_passwords["CS-2"] == "")
    finally:
        running.cancel()
        await asyncio.gather(running, return_exceptions=True)


async def test_an_upgrade_registers_the_pending_profile_and_keeps_it_once_the_priority_is_accepted(
    world: CommandsWorld,
) -> None:
    world.edges.outcomes += [CallResult("m", '{"status": "Accepted"}'), priority_answer("Accepted")]
    world.edges.outcomes.append(CallResult("m", '{"status": "Rejected"}'))
    record = await world.instance().send(UPGRADE)
    assert [call[1] for call in world.edges.calls] == ["SetNetworkProfile", "SetVariables", "Reset"]
    assert record.result is not None and record.result["status"] == "rejected"  # the reset, yet the slot is first
    assert world.credentials.pending_profiles["CS-2"] == 2
    assert [change[0] for change in world.credentials.changes] == ["set"]


async def test_an_upgrade_the_station_rejects_stops_there_and_is_cancelled(world: CommandsWorld) -> None:
    world.edges.outcomes.append(CallResult("m", '{"status": "Rejected"}'))
    record = await world.instance().send(UPGRADE)
    assert [call[1] for call in world.edges.calls] == ["SetNetworkProfile"]
    assert record.result == {"status": "rejected", "steps": [{"action": "SetNetworkProfile", "status": "rejected"}]}
    assert world.credentials.pending_profiles["CS-2"] == 0
    assert [change[0] for change in world.credentials.changes] == ["set", "cancel"]


async def test_ocpp16_upgrade_and_key(world: CommandsWorld) -> None:
    world.connect("CS-2", OcppVersion.V16)
    world.edges.outcomes += [CallResult("m", '{"status": "Accepted"}'), CallResult("m", '{"status": "Rejected"}')]
    upgraded = await world.instance().send(NewCommand("CS-2", "set-security-profile", {"security_profile": 3}))
    key = "AB" * 20
    rotated = await world.instance().send(NewCommand("CS-2", "set-password", {"password": key}))
    assert [call[1:3] for call in world.edges.calls] == [
        ("ChangeConfiguration", '{"key": "SecurityProfile", "value": "3"}'),
        ("ChangeConfiguration", json.dumps({"key": "AuthorizationKey", "value": key.lower()})),
    ]
    assert (upgraded.result, rotated.result) == ({"status": "accepted"}, {"status": "rejected"})
    assert world.credentials.pending_profiles["CS-2"] == 3
    assert world.credentials.changes[1:] == [
        ("set", "CS-2", CredentialChange(password=key.lower())),
        ("cancel", "CS-2", CredentialChange(password=key.lower())),
    ]


@pytest.mark.parametrize(
    ("new", "status", "message"),
    [
        (
            NewCommand(
                "CS-2",
                "set-password",
                {"password": PASSWORD},
                queue_if_offline=True,
                expires_at=NOW + timedelta(hours=1),
            ),
            grpc.StatusCode.INVALID_ARGUMENT,
            "queue_if_offline: set-password is sent to connected stations only",
        ),
        (
            NewCommand("CS-2", "set-security-profile", {**UPGRADE.params, "security_profile": 2}),
            grpc.StatusCode.INVALID_ARGUMENT,
            "params.security_profile: 2 is not an upgrade: CS-2 is registered at security profile 2",
        ),
        (
            NewCommand("CS-2", "set-password", {"password": "short"}),
            grpc.StatusCode.INVALID_ARGUMENT,
            "params.password: OCPP 2.0.1 passwords are 16..40 characters, got 5",
        ),
    ],
)
async def test_refused_before_anything_is_registered_stored_or_sent(
    world: CommandsWorld, new: NewCommand, status: grpc.StatusCode, message: str
) -> None:
    world.credentials.profiles["CS-2"] = 2
    with pytest.raises(StationCallError) as refused:
        await world.instance().send(new)
    assert (refused.value.status, message in str(refused.value)) == (status, True), str(refused.value)
    assert (world.store.records, world.edges.calls, world.credentials.changes) == ({}, [], [])


async def test_an_offline_station_is_refused_and_a_downgrade_whether_it_is_connected_or_not(
    world: CommandsWorld,
) -> None:
    world.disconnect("CS-2", OcppVersion.V201)
    with pytest.raises(StationOffline, match="set-password needs it connected"):
        await world.instance().send(SET_PASSWORD)
    world.credentials.profiles["CS-2"] = 2
    with pytest.raises(StationCallError, match="2 is not an upgrade") as refused:
        await world.instance().send(UPGRADE)
    assert refused.value.status == grpc.StatusCode.INVALID_ARGUMENT
    assert (world.store.records, world.credentials.changes) == ({}, [])


@pytest.mark.parametrize(
    ("failure", "status"),
    [
        (
            CredentialsRefused("the station registry refused the change: password rule"),
            grpc.StatusCode.INVALID_ARGUMENT,
        ),
        (CredentialsRefused("station CS-2 is not registered", grpc.StatusCode.NOT_FOUND), grpc.StatusCode.NOT_FOUND),
        (CredentialsUnavailable("authorization service: UNAVAILABLE"), grpc.StatusCode.UNAVAILABLE),
    ],
)
async def test_a_registry_that_refuses_or_is_down_stops_the_command_before_the_station_is_told(
    world: CommandsWorld, failure: StationCallError, status: grpc.StatusCode
) -> None:
    world.credentials.failure = failure
    with pytest.raises(StationCallError) as refused:
        await world.instance().send(SET_PASSWORD)
    assert refused.value.status == status
    assert (world.store.records, world.edges.calls) == ({}, [])
