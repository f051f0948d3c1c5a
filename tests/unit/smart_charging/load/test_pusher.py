"""The load manager's pusher: each TxProfile goes to device-model with `wait` under its request key, and counts
as installed only when the station accepted it (a refusal or no answer: not installed); a repeated key sends
nothing again and gets the first answer."""

from __future__ import annotations

import json
from datetime import timedelta

from csms.device_model.v1 import device_model_pb2
from csms.smart_charging.v1 import smart_charging_pb2
from csms_device_model.domain.commands import results
from csms_smart_charging.app.profiles import ProfileAnswer, ProfileRequests
from csms_smart_charging.load.app.pusher import RequestsPusher
from kit.builders.smart_charging import NOW
from kit.fakes.smart_charging import InMemoryRequestKeys, PublishedEvents, RecordingCommands
from unit.smart_charging.events import profile


def pusher_of(commands: RecordingCommands) -> tuple[RequestsPusher, PublishedEvents]:
    events = PublishedEvents()
    requests = ProfileRequests(InMemoryRequestKeys(), commands, events, lambda: NOW, timedelta(hours=1), 30.0)
    return RequestsPusher(requests), events


async def test_an_accepted_profile_is_installed_once_per_key() -> None:
    commands = RecordingCommands(NOW)
    pusher, events = pusher_of(commands)
    tx = {**profile(1_000_001, "TxProfile", stack_level=5), "transaction_id": "tx-1"}
    assert await pusher.push("CP-1", 1, tx, request_key="tx-profile:S:1:CP-1:1")
    assert await pusher.push("CP-1", 1, tx, request_key="tx-profile:S:1:CP-1:1")
    assert [(s.command, s.params, s.wait_s, s.idempotency_key) for s in commands.sent] == [
        ("set-charging-profile", {"evse_id": 1, "profile": tx}, 30.0, "smart-charging:tx-profile:S:1:CP-1:1")
    ]
    assert {e.requested.origin for e in events.events} == {smart_charging_pb2.REQUEST_ORIGIN_LOAD}


async def test_a_refused_or_unanswered_profile_is_not_installed() -> None:
    commands = RecordingCommands(NOW, statuses={"CP-R": "rejected"}, unanswered={"CP-U"})
    pusher, _ = pusher_of(commands)
    tx = {**profile(1_000_001, "TxProfile", stack_level=5), "transaction_id": "tx-1"}
    assert not await pusher.push("CP-R", 1, tx, request_key="k-r")
    assert not await pusher.push("CP-U", 1, tx, request_key="k-u")
    assert await pusher.push("CP-A", 1, tx, request_key="k-a")


def test_an_answer_counts_as_accepted_by_device_model_s_neutral_status() -> None:
    """device-model records a station's status in snake case (`{"status": "accepted"}`): a check against the OCPP
    spelling counted every accepted TxProfile as refused, so no lower was ever planned before a raise."""

    def answer(status: str) -> ProfileAnswer:
        command = device_model_pb2.Command(
            state=device_model_pb2.COMMAND_STATE_ANSWERED, result_json=json.dumps(results.status(status))
        )
        return ProfileAnswer(smart_charging_pb2.ProfileRequested(), command)

    assert answer("Accepted").accepted
    assert not answer("Rejected").accepted
