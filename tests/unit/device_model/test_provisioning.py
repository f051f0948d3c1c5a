"""Provisioning through the wired servicer over fakes (docs/adr/0031): a station's boot policy read and set (the
default for stations never set), an accepted Pending station asked to boot again (TriggerMessage BootNotification)
while a Rejected one is sent nothing, the boot history paged, and operator commands refused while Rejected."""

from __future__ import annotations

import json

import grpc
import pytest

from csms.device_model.v1 import device_model_pb2 as pb
from csms_device_model.app.operator_commands import NewCommand, StationRejected
from csms_device_model.domain.provisioning import BootPolicy, parse_policy
from csms_device_model.ports import CallResult
from csms_kernel.infra.envelopes import timestamp
from csms_kernel.ocpp.versions import OcppVersion
from kit.builders.device_model import NOW, CommandsWorld
from kit.fakes.grpc_context import CONTEXT, Aborted
from kit.waiting import wait_until


@pytest.fixture
def world() -> CommandsWorld:
    return CommandsWorld()


async def test_a_station_never_set_has_the_default_policy(world: CommandsWorld) -> None:
    got = await world.servicer().GetStationProvisioning(pb.GetStationProvisioningRequest(station_id="CS-1"), CONTEXT)
    assert got.provisioning == pb.StationProvisioning(station_id="CS-1", boot_policy="Accepted", explicit=False)


async def test_set_stores_the_policy_and_shows_the_last_boot(world: CommandsWorld) -> None:
    world.booted("CS-1", "Accepted")
    servicer = world.servicer()
    request = pb.SetStationProvisioningRequest(station_id="CS-1", boot_policy="pending")
    answer = await servicer.SetStationProvisioning(request, CONTEXT)
    expected = pb.StationProvisioning(
        station_id="CS-1",
        boot_policy="Pending",
        explicit=True,
        updated_at=timestamp(NOW),
        registration_status="Accepted",
        booted_at=timestamp(NOW),
    )
    assert (answer.provisioning, answer.HasField("trigger_command")) == (expected, False)
    assert world.provisioning.policies["CS-1"] == (BootPolicy.PENDING, NOW)
    got = await servicer.GetStationProvisioning(pb.GetStationProvisioningRequest(station_id="CS-1"), CONTEXT)
    assert got.provisioning == expected


async def test_an_unknown_policy_is_refused(world: CommandsWorld) -> None:
    request = pb.SetStationProvisioningRequest(station_id="CS-1", boot_policy="Maybe")
    with pytest.raises(Aborted) as refused:
        await world.servicer().SetStationProvisioning(request, CONTEXT)
    assert refused.value.code == grpc.StatusCode.INVALID_ARGUMENT
    assert "Accepted, Pending, Rejected" in refused.value.details
    assert world.provisioning.policies == {}


@pytest.mark.parametrize("version", list(OcppVersion))
async def test_accepting_a_connected_pending_station_triggers_its_boot(
    world: CommandsWorld, version: OcppVersion
) -> None:
    world.connect("CS-1", version, registration="Pending")
    world.edges.outcomes.append(CallResult("m-1", '{"status": "Accepted"}'))
    request = pb.SetStationProvisioningRequest(station_id="CS-1", boot_policy="Accepted", trigger_boot=True)
    answer = await world.servicer().SetStationProvisioning(request, CONTEXT)
    assert answer.trigger_command.command == "trigger-message"
    await wait_until(lambda: len(world.edges.calls) == 1)
    action, payload = world.edges.calls[0][1], json.loads(world.edges.calls[0][2])
    assert (action, payload) == ("TriggerMessage", {"requestedMessage": "BootNotification"})  # same on every version


@pytest.mark.parametrize(
    ("registration", "connected"), [("Rejected", True), ("Accepted", True), ("Pending", False), (None, True)]
)
async def test_no_trigger_when_not_due(world: CommandsWorld, registration: str | None, connected: bool) -> None:
    """A Rejected station is sent nothing (B03.FR.03), an Accepted one needs no new boot, an offline one cannot be
    asked, one that never booted will boot anyway."""
    world.connect("CS-1", OcppVersion.V201, registration=registration or "Accepted")
    if registration is None:
        del world.provisioning.registrations["CS-1"], world.stations.registrations["CS-1"]
    if not connected:
        world.disconnect("CS-1", OcppVersion.V201)
    request = pb.SetStationProvisioningRequest(station_id="CS-1", boot_policy="Accepted", trigger_boot=True)
    answer = await world.servicer().SetStationProvisioning(request, CONTEXT)
    assert (answer.HasField("trigger_command"), world.store.records) == (False, {})


async def test_no_operator_command_to_a_rejected_station(world: CommandsWorld) -> None:
    world.connect("CS-1", registration="Rejected")
    with pytest.raises(StationRejected, match="answered Rejected") as refused:
        await world.instance().send(NewCommand("CS-1", "clear-cache", {}))
    assert refused.value.status == grpc.StatusCode.FAILED_PRECONDITION
    assert (world.store.records, world.edges.calls) == ({}, [])


async def test_operator_commands_go_to_a_pending_station(world: CommandsWorld) -> None:
    world.connect("CS-1", registration="Pending")
    world.edges.outcomes.append(CallResult("m-1", '{"status": "Accepted"}'))
    record = await world.instance().send(NewCommand("CS-1", "clear-cache", {}))
    assert [call[1] for call in world.edges.calls] == ["ClearCache"]
    assert record.result == {"status": "accepted"}


async def test_boot_history_pages(world: CommandsWorld) -> None:
    boots = [pb.StationBoot(message_id=f"m-{i}", reason="PowerUp", registration_status="Accepted") for i in range(3)]
    world.provisioning.history["CS-1"] = boots
    servicer = world.servicer()
    first = await servicer.ListStationBoots(pb.ListStationBootsRequest(station_id="CS-1", page_size=2), CONTEXT)
    assert (list(first.boots), first.next_page_token) == (boots[:2], "2")
    request = pb.ListStationBootsRequest(station_id="CS-1", page_size=2, page_token=first.next_page_token)
    second = await servicer.ListStationBoots(request, CONTEXT)
    assert (list(second.boots), second.next_page_token) == (boots[2:], "")
    with pytest.raises(Aborted) as refused:
        await servicer.ListStationBoots(pb.ListStationBootsRequest(station_id="CS-1", page_token="x"), CONTEXT)
    assert refused.value.code == grpc.StatusCode.INVALID_ARGUMENT


def test_policy_names() -> None:
    assert [parse_policy(name) for name in ("accepted", " PENDING ", "Rejected")] == list(BootPolicy)
    with pytest.raises(ValueError, match="one of Accepted, Pending, Rejected"):
        parse_policy("enabled")
