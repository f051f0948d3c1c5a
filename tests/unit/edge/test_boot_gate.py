"""What a station may send while its boot is Pending or Rejected (docs/adr/0031), per version: the rules
(`edge.domain.boot_gate`), the BootNotification answer relayed through the delivery topic setting them, the CSMS's
CALLs through SendCall allowing what they ask for, and the session answering a refused CALL SecurityError itself
(logged with its reason, not handed to the owning service) while the station's answers always pass; on a connection
without a boot answer (a reconnect), the status of the station's last boot, looked up once, rules."""

from __future__ import annotations

import asyncio
import json

import pytest

from csms.envelope.v1 import envelope_pb2
from csms_edge.adapters.delivery import DeliveryHandler
from csms_edge.adapters.frame_log import owner_topic
from csms_edge.app.session import Session
from csms_edge.domain import boot_gate
from csms_kernel.ocpp.versions import OcppVersion
from kit.builders.envelopes import frame_envelope
from kit.fakes.edge import World
from kit.waiting import wait_until
from unit.edge.test_grpc_api import request, send_call, servicer

V16, V201, V21 = OcppVersion.V16, OcppVersion.V201, OcppVersion.V21

# (version, a CALL the station may not send unasked while Pending/Rejected)
UNASKED = [
    (V16, "StatusNotification", {"connectorId": 1, "errorCode": "NoError", "status": "Available"}),
    (V16, "Authorize", {"idTag": "T1"}),
    (V16, "StartTransaction", {"connectorId": 1, "idTag": "T1", "meterStart": 0, "timestamp": "2026-01-01T00:00:00Z"}),
    (V201, "Heartbeat", {}),
    (V201, "TransactionEvent", {}),
    (V201, "NotifyReport", {}),
    (V21, "StatusNotification", {}),
    (V21, "NotifyEvent", {}),
]


def test_rules() -> None:
    assert boot_gate.refusal("", set(), "Heartbeat") is None  # no boot answered on this connection
    assert boot_gate.refusal("Accepted", set(), "Heartbeat") is None
    for status in ("Pending", "Rejected"):
        assert boot_gate.refusal(status, set(), "BootNotification") is None
        assert "B0" in (boot_gate.refusal(status, set(), "Heartbeat") or "")
    assert boot_gate.refusal("Pending", {"Heartbeat"}, "Heartbeat") is None
    assert boot_gate.refusal("Rejected", {"Heartbeat"}, "Heartbeat") is not None  # nothing is asked while Rejected


@pytest.mark.parametrize(
    ("action", "payload", "asked"),
    [
        ("TriggerMessage", {"requestedMessage": "StatusNotification"}, ("StatusNotification",)),
        ("TriggerMessage", {"requestedMessage": "BootNotification"}, ("BootNotification",)),
        ("TriggerMessage", {"requestedMessage": "SignChargingStationCertificate"}, ("SignCertificate",)),
        ("ExtendedTriggerMessage", {"requestedMessage": "SignChargePointCertificate"}, ("SignCertificate",)),
        ("TriggerMessage", {"requestedMessage": 7}, ()),
        ("GetBaseReport", {"requestId": 1, "reportBase": "FullInventory"}, ("NotifyReport",)),
        ("GetReport", {"requestId": 1}, ("NotifyReport",)),
        ("GetMonitoringReport", {"requestId": 1}, ("NotifyMonitoringReport",)),
        ("SetVariables", {}, ()),
        ("GetConfiguration", {}, ()),
    ],
)
def test_what_a_csms_call_asks_for(action: str, payload: dict[str, object], asked: tuple[str, ...]) -> None:
    assert boot_gate.asked_for(action, payload) == asked


@pytest.mark.parametrize(
    ("frame", "status"),
    [
        ('[3,"m1",{"currentTime":"x","interval":60,"status":"Pending"}]', "Pending"),
        ('[3,"m1",{"status":5}]', ""),
        ('[3,"m1",[]]', ""),
        ("not json", ""),
    ],
)
def test_the_status_of_a_boot_answer(frame: str, status: str) -> None:
    assert boot_gate.registration_status(frame) == status


def boot_answer(status: str, connection_id: str = "c0ffee") -> bytes:
    frame = json.dumps([3, "b1", {"currentTime": "2026-01-01T00:00:00Z", "interval": 60, "status": status}])
    envelope = frame_envelope(
        frame, envelope_pb2.MESSAGE_TYPE_CALL_RESULT, action="BootNotification", connection_id=connection_id
    )
    return envelope.SerializeToString()


async def booted(world: World, version: OcppVersion, status: str) -> tuple[Session, list[str]]:
    """A registered connection of CS-1 whose BootNotification was answered `status` through the delivery topic."""
    connection, socket = world.connection(version=version)
    world.table.register(connection)
    delivery = DeliveryHandler(world.table, world.frame_log, world.envelopes, send_timeout_s=1.0)
    delivery.deliver([boot_answer(status)])
    await delivery.flush()
    assert json.loads(socket.sent[-1])[2]["status"] == status
    return Session(connection, world.context), socket.sent


@pytest.mark.parametrize("status", ["Pending", "Rejected"])
@pytest.mark.parametrize(("version", "action", "payload"), UNASKED)
async def test_an_unasked_call_is_refused_with_security_error(
    version: OcppVersion, action: str, payload: dict[str, object], status: str
) -> None:
    world = World()
    session, sent = await booted(world, version, status)
    await session.handle(json.dumps([2, "c1", action, payload]))
    code, description = json.loads(sent[-1])[2:4]
    assert (json.loads(sent[-1])[:2], code) == ([4, "c1"], "SecurityError")
    assert f"boot {status}" in description and action in description
    refused, answer = world.frame_log.records[-2:]
    assert (refused.action, refused.message_type, refused.reason) == (
        action,
        envelope_pb2.MESSAGE_TYPE_CALL,
        description,
    )
    assert owner_topic(refused) is None  # logged, never handed to the owning service
    assert (answer.message_type, answer.message_id) == (envelope_pb2.MESSAGE_TYPE_CALL_ERROR, "c1")


@pytest.mark.parametrize("status", ["Pending", "Rejected"])
@pytest.mark.parametrize("version", list(OcppVersion))
async def test_boot_notification_always_passes(version: OcppVersion, status: str) -> None:
    world = World()
    session, sent = await booted(world, version, status)
    before = len(sent)
    await session.handle('[2, "c2", "BootNotification", {}]')
    assert len(sent) == before  # answered by device-model, not here
    assert world.frame_log.records[-1].reason == ""
    assert owner_topic(world.frame_log.records[-1]) == "ocpp.calls.device_model.v1"


@pytest.mark.parametrize("status", ["Pending", "Rejected"])
@pytest.mark.parametrize(("version", "action", "payload"), UNASKED)
async def test_a_station_reconnecting_after_a_boot_not_accepted_is_restricted_without_booting_again(
    version: OcppVersion, action: str, payload: dict[str, object], status: str
) -> None:
    world = World()
    world.boot_statuses.statuses["CS-1"] = status  # answered on an earlier connection, perhaps of another node
    connection, socket = world.connection(version=version)
    session = Session(connection, world.context)
    await session.handle(json.dumps([2, "c1", action, payload]))
    await session.handle(json.dumps([2, "c2", action, payload]))
    assert [json.loads(frame)[:3] for frame in socket.sent] == [[4, "c1", "SecurityError"], [4, "c2", "SecurityError"]]
    assert f"boot {status}" in json.loads(socket.sent[0])[3]
    assert owner_topic(world.frame_log.records[-2]) is None
    assert world.boot_statuses.looked_up == ["CS-1"]  # once per connection


async def test_a_looked_up_pending_station_may_send_what_the_csms_asks_for() -> None:
    world = World()
    world.boot_statuses.statuses["CS-1"] = "Pending"
    connection, socket = world.connection(version=V201)
    world.table.register(connection)
    session = Session(connection, world.context)
    await session.handle('[2, "c1", "StatusNotification", {}]')
    assert json.loads(socket.sent[-1])[2] == "SecurityError"
    await accepted_call(world, socket.sent, "TriggerMessage", {"requestedMessage": "StatusNotification"})
    before = len(socket.sent)
    await session.handle('[2, "c2", "StatusNotification", {}]')
    assert len(socket.sent) == before and world.frame_log.records[-1].reason == ""


@pytest.mark.parametrize("version", list(OcppVersion))
async def test_a_boot_on_the_connection_needs_no_look_up_and_rules_over_an_earlier_status(version: OcppVersion) -> None:
    world = World()
    world.boot_statuses.statuses["CS-1"] = "Rejected"
    connection, socket = world.connection(version=version)
    session = Session(connection, world.context)
    await session.handle('[2, "b1", "BootNotification", {}]')
    world.table.register(connection)
    delivery = DeliveryHandler(world.table, world.frame_log, world.envelopes, send_timeout_s=1.0)
    delivery.deliver([boot_answer("Accepted")])
    await delivery.flush()
    await session.handle('[2, "c1", "Heartbeat", {}]')
    assert [json.loads(frame)[0] for frame in socket.sent] == [3]  # only the boot answer: Heartbeat handed on
    assert world.boot_statuses.looked_up == []


async def test_when_the_last_boot_status_cannot_be_read_the_connection_is_not_restricted(
    caplog: pytest.LogCaptureFixture,
) -> None:
    world = World()
    world.boot_statuses.statuses["CS-1"] = "Rejected"
    world.boot_statuses.down = True
    connection, socket = world.connection(version=V201)
    session = Session(connection, world.context)
    await session.handle('[2, "c1", "Heartbeat", {}]')
    await session.handle('[2, "c2", "Heartbeat", {}]')
    assert socket.sent == [] and world.frame_log.records[-1].reason == ""
    assert world.boot_statuses.looked_up == ["CS-1"]
    assert "status of its last boot unknown (UNAVAILABLE: device-model down)" in caplog.text


@pytest.mark.parametrize("version", list(OcppVersion))
async def test_accepted_and_unbooted_connections_are_not_restricted(version: OcppVersion) -> None:
    world = World()
    connection, socket = world.connection(version=version)
    world.boot_statuses.statuses["CS-2"] = "Pending"  # another station
    await Session(connection, world.context).handle('[2, "c1", "Heartbeat", {}]')  # never booted
    assert socket.sent == [] and world.frame_log.records[-1].reason == ""
    world.boot_statuses.statuses["CS-1"] = "Accepted"
    connection, socket = world.connection(version=version, connection_id="c2")
    await Session(connection, world.context).handle('[2, "c1", "Heartbeat", {}]')  # reconnected after Accepted
    assert socket.sent == [] and world.boot_statuses.looked_up == ["CS-1", "CS-1"]
    world2 = World()
    session, sent = await booted(world2, version, "Accepted")
    before = len(sent)
    await session.handle('[2, "c1", "Heartbeat", {}]')
    assert len(sent) == before and world2.frame_log.records[-1].reason == ""


async def accepted_call(world: World, sent: list[str], action: str, payload: dict[str, object]) -> None:
    """The CSMS sends `action` through SendCall and the station accepts it."""
    call = asyncio.create_task(send_call(servicer(world), request(action=action, payload_json=json.dumps(payload))))
    await wait_until(lambda: json.loads(sent[-1])[0] == 2)
    message_id = json.loads(sent[-1])[1]
    session = Session(world.table.get("CS-1"), world.context)  # type: ignore[arg-type]
    await session.handle(json.dumps([3, message_id, {"status": "Accepted"}]))  # an answer always passes
    await call


@pytest.mark.parametrize(
    ("version", "csms_call", "payload", "then"),
    [
        (V16, "TriggerMessage", {"requestedMessage": "StatusNotification"}, "StatusNotification"),
        (V16, "TriggerMessage", {"requestedMessage": "Heartbeat"}, "Heartbeat"),
        (V201, "TriggerMessage", {"requestedMessage": "StatusNotification"}, "StatusNotification"),
        (V201, "GetBaseReport", {"requestId": 1, "reportBase": "FullInventory"}, "NotifyReport"),
        (V21, "GetReport", {"requestId": 2}, "NotifyReport"),
        (V21, "TriggerMessage", {"requestedMessage": "Heartbeat"}, "Heartbeat"),
    ],
)
async def test_while_pending_what_the_csms_asked_for_passes(
    version: OcppVersion, csms_call: str, payload: dict[str, object], then: str
) -> None:
    world = World()
    session, sent = await booted(world, version, "Pending")
    await session.handle(json.dumps([2, "c1", then, {}]))
    assert json.loads(sent[-1])[2] == "SecurityError"  # not asked yet
    await accepted_call(world, sent, csms_call, payload)
    before = len(sent)
    await session.handle(json.dumps([2, "c2", then, {}]))
    assert len(sent) == before and world.frame_log.records[-1].reason == ""
    await session.handle('[2, "c3", "Authorize", {"idToken": {"idToken": "T", "type": "ISO14443"}}]')
    assert json.loads(sent[-1])[:3] == [4, "c3", "SecurityError"]  # only what was asked


async def test_a_new_boot_answer_resets_what_was_asked_and_accepted_lifts_the_rules() -> None:
    world = World()
    session, sent = await booted(world, V201, "Pending")
    await accepted_call(world, sent, "TriggerMessage", {"requestedMessage": "Heartbeat"})
    delivery = DeliveryHandler(world.table, world.frame_log, world.envelopes, send_timeout_s=1.0)
    delivery.deliver([boot_answer("Pending")])
    await delivery.flush()
    await session.handle('[2, "c1", "Heartbeat", {}]')
    assert json.loads(sent[-1])[:3] == [4, "c1", "SecurityError"]
    delivery.deliver([boot_answer("Accepted")])
    await delivery.flush()
    before = len(sent)
    await session.handle('[2, "c2", "Heartbeat", {}]')
    assert len(sent) == before


async def test_an_answer_to_another_connection_changes_nothing() -> None:
    world = World()
    connection, socket = world.connection(version=V201)
    world.table.register(connection)
    delivery = DeliveryHandler(world.table, world.frame_log, world.envelopes, send_timeout_s=1.0)
    delivery.deliver([boot_answer("Rejected", connection_id="old")])
    await delivery.flush()
    await Session(connection, world.context).handle('[2, "c1", "Heartbeat", {}]')
    assert socket.sent == []
