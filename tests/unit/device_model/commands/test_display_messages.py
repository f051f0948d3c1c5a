"""`set-display-message`, `get-display-messages`, `clear-display-message`: the CALL each 2.x version gets, the
neutral result, what a version cannot express (1.6 has no display messages; 2.0.1 lacks 2.1's states and QR codes),
and invalid params named."""

from __future__ import annotations

from typing import Any

import pytest

from csms_device_model.domain.commands.params import InvalidParams, NotExpressible
from csms_device_model.ocpp.commands import takes_request_id, translate
from csms_kernel.ocpp.versions import OcppVersion

V16, V201, V21 = OcppVersion.V16, OcppVersion.V201, OcppVersion.V21
FULL = {
    "id": 7,
    "priority": "in_front",
    "content": "Kostenlos laden bis 18 Uhr",
    "format": "utf8",
    "language": "de",
    "state": "idle",
    "start_at": "2026-12-06T10:00:00+01:00",
    "end_at": "2026-12-06T18:00:00Z",
    "transaction_id": "tx-1",
    "display": {"name": "Display", "instance": "main", "evse_id": 1, "connector_id": 2},
}


@pytest.mark.parametrize("version", [V201, V21])
def test_set_sends_the_whole_message_info(version: OcppVersion) -> None:
    plan = translate("set-display-message", version, FULL)
    assert [c.as_json() for c in plan.calls] == [
        {
            "action": "SetDisplayMessage",
            "payload": {
                "message": {
                    "id": 7,
                    "priority": "InFront",
                    "message": {"format": "UTF8", "content": "Kostenlos laden bis 18 Uhr", "language": "de"},
                    "state": "Idle",
                    "startDateTime": "2026-12-06T09:00:00.000Z",
                    "endDateTime": "2026-12-06T18:00:00.000Z",
                    "transactionId": "tx-1",
                    "display": {"name": "Display", "instance": "main", "evse": {"id": 1, "connectorId": 2}},
                }
            },
        }
    ]


def test_set_with_only_what_is_required() -> None:
    plan = translate("set-display-message", V201, {"id": 0, "priority": "normal_cycle", "content": "Hallo"})
    assert plan.calls[0].payload == {
        "message": {"id": 0, "priority": "NormalCycle", "message": {"format": "UTF8", "content": "Hallo"}}
    }


@pytest.mark.parametrize(
    ("version", "answer", "result"),
    [
        (V201, {"status": "Accepted"}, {"status": "accepted"}),
        (V201, {"status": "NotSupportedPriority"}, {"status": "not_supported_priority"}),
        (
            V21,
            {"status": "LanguageNotSupported", "statusInfo": {"reasonCode": "NoFont"}},
            {"status": "language_not_supported", "status_info": {"reason_code": "NoFont"}},
        ),
    ],
)
def test_set_answers(version: OcppVersion, answer: dict[str, Any], result: dict[str, Any]) -> None:
    assert translate("set-display-message", version, FULL).read([answer]) == result


def test_2_1_states_and_qr_codes() -> None:
    params = {**FULL, "state": "discharging", "format": "qrcode"}
    payload = translate("set-display-message", V21, params).calls[0].payload
    assert (payload["message"]["state"], payload["message"]["message"]["format"]) == ("Discharging", "QRCODE")
    with pytest.raises(NotExpressible, match=r"OCPP 2\.0\.1 has no message state discharging"):
        translate("set-display-message", V201, params)
    with pytest.raises(NotExpressible, match=r"OCPP 2\.0\.1 has no message format qrcode"):
        translate("set-display-message", V201, {**FULL, "format": "qrcode"})


@pytest.mark.parametrize("command", ["set-display-message", "get-display-messages", "clear-display-message"])
def test_1_6_has_no_display_messages(command: str) -> None:
    params = {
        "set-display-message": FULL,
        "get-display-messages": {"request_id": 1},
        "clear-display-message": {"id": 1},
    }
    with pytest.raises(NotExpressible, match=r"OCPP 1\.6 has no display messages"):
        translate(command, V16, params[command])


@pytest.mark.parametrize("version", [V201, V21])
def test_get_carries_the_request_id_and_the_filters(version: OcppVersion) -> None:
    assert takes_request_id("get-display-messages")
    everything = translate("get-display-messages", version, {"request_id": 5})
    assert everything.calls[0].as_json() == {"action": "GetDisplayMessages", "payload": {"requestId": 5}}
    some = translate(
        "get-display-messages",
        version,
        {"request_id": 5, "ids": [1, 2], "priority": "always_front", "state": "charging"},
    )
    assert some.calls[0].payload == {"requestId": 5, "id": [1, 2], "priority": "AlwaysFront", "state": "Charging"}
    assert some.read([{"status": "Unknown"}]) == {"status": "unknown", "request_id": 5}
    assert everything.read([{"status": "Accepted"}]) == {"status": "accepted", "request_id": 5}


@pytest.mark.parametrize("version", [V201, V21])
def test_clear(version: OcppVersion) -> None:
    plan = translate("clear-display-message", version, {"id": 3})
    assert plan.calls[0].as_json() == {"action": "ClearDisplayMessage", "payload": {"id": 3}}
    assert plan.read([{"status": "Unknown"}]) == {"status": "unknown"}


def test_2_1_may_refuse_a_clear() -> None:
    assert translate("clear-display-message", V21, {"id": 3}).read([{"status": "Rejected"}]) == {"status": "rejected"}


@pytest.mark.parametrize(
    ("command", "params", "message"),
    [
        ("set-display-message", {"priority": "in_front", "content": "x"}, "params.id: is required"),
        ("set-display-message", {"id": -1, "priority": "in_front", "content": "x"}, "params.id: must be at least 0"),
        ("set-display-message", {"id": 1, "priority": "top", "content": "x"}, "params.priority: must be one of"),
        ("set-display-message", {"id": 1, "priority": "in_front"}, "params.content: is required"),
        ("set-display-message", {**FULL, "start_at": "tomorrow"}, "params.start_at: must be an RFC 3339 date-time"),
        ("set-display-message", {**FULL, "end_at": "2026-12-06T08:00:00Z"}, "params.end_at: must be after start_at"),
        ("set-display-message", {**FULL, "display": {"evse_id": 1}}, "params.display.name: is required"),
        ("set-display-message", {**FULL, "display": {"name": "D", "connector_id": 1}}, "params.display.evse_id"),
        ("set-display-message", {**FULL, "colour": "red"}, "params.colour: unknown parameter"),
        ("set-display-message", {**FULL, "content": "x" * 513}, "payload not valid for ocpp2.0.1"),
        ("get-display-messages", {"request_id": 1, "ids": [1, "2"]}, r"params.ids\[1\]: must be an integer"),
        ("get-display-messages", {"request_id": 1, "state": "asleep"}, "params.state: must be one of"),
        ("clear-display-message", {}, "params.id: is required"),
    ],
)
def test_invalid_params_name_the_field(command: str, params: dict[str, Any], message: str) -> None:
    with pytest.raises(InvalidParams, match=message):
        translate(command, V201, params)


def test_2_1_takes_longer_content() -> None:
    assert translate("set-display-message", V21, {**FULL, "content": "x" * 1024}).calls
