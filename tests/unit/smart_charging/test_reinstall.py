"""Reinstall after a boot: an accepted boot gets every installed non-Tx profile again, once per boot (the batch
applied again sends nothing new), a rejected boot nothing; device-model unreachable retries the batch, a final
refusal is skipped."""

from __future__ import annotations

from datetime import timedelta

import grpc
import pytest

from csms.device_model.v1 import device_model_pb2
from csms.smart_charging.v1 import smart_charging_pb2
from csms_kernel.ocpp.errors import RetryableError
from csms_smart_charging.app.profiles import ProfileRequests
from csms_smart_charging.app.reinstall import ReinstallAfterBoot
from kit.builders.smart_charging import NOW, STATION
from kit.fakes.smart_charging import InMemoryRequestKeys, ListedEvents, PublishedEvents, RecordingCommands
from unit.smart_charging.events import profile, set_and_answer


def boot(status: str = "Accepted", message_id: str = "boot-1") -> device_model_pb2.DeviceModelEvent:
    return device_model_pb2.DeviceModelEvent(
        station_id=STATION,
        message_id=message_id,
        station_booted=device_model_pb2.StationBooted(reason="PowerUp", registration_status=status),
    )


class Policy:
    def __init__(self, refusal: grpc.StatusCode | None = None) -> None:
        self.view = ListedEvents()
        self.view.add(
            *set_and_answer(1, 0, 0, profile(1, "ChargingStationMaxProfile", limit=32)),
            *set_and_answer(2, 10, 1, profile(2)),
            *set_and_answer(3, 20, 1, {**profile(3, "TxProfile", stack_level=1), "transaction_id": "t-1"}),
        )
        self.commands = RecordingCommands(NOW, refusal=refusal)
        self.events = PublishedEvents()
        requests = ProfileRequests(
            InMemoryRequestKeys(), self.commands, self.events, lambda: NOW, timedelta(hours=1), 30.0
        )
        self.policy = ReinstallAfterBoot(self.view, requests)


async def test_an_accepted_boot_gets_its_profiles_again_once() -> None:
    policy = Policy()
    await policy.policy.after_writes([boot()], None)
    await policy.policy.after_writes([boot()], None)
    sent = [
        (s.command, s.params["evse_id"], s.params["profile"]["id"], s.queue_if_offline) for s in policy.commands.sent
    ]
    assert sent == [("set-charging-profile", 0, 1, True), ("set-charging-profile", 1, 2, True)]
    assert policy.commands.sent[0].params["profile"] == profile(1, "ChargingStationMaxProfile", limit=32)
    assert {e.requested.origin for e in policy.events.events} == {smart_charging_pb2.REQUEST_ORIGIN_REINSTALL}


async def test_every_boot_reinstalls_again() -> None:
    policy = Policy()
    await policy.policy.after_writes([boot(message_id="b1")], None)
    await policy.policy.after_writes([boot(message_id="b2")], None)
    assert len(policy.commands.sent) == 4


async def test_a_rejected_boot_gets_nothing() -> None:
    policy = Policy()
    await policy.policy.after_writes([boot("Rejected")], None)
    assert policy.commands.sent == []


async def test_device_model_unreachable_retries_the_batch() -> None:
    policy = Policy(refusal=grpc.StatusCode.UNAVAILABLE)
    with pytest.raises(RetryableError):
        await policy.policy.after_writes([boot()], None)


async def test_a_final_refusal_is_skipped() -> None:
    policy = Policy(refusal=grpc.StatusCode.NOT_FOUND)
    await policy.policy.after_writes([boot()], None)
    assert policy.events.events == []
