"""`trigger-message` in every version: neutral message names in snake_case, each version's own set of messages,
1.6 on a connector, 2.x on an EVSE/connector, 2.1 custom triggers."""

from __future__ import annotations

from typing import Any

import pytest

from csms_device_model.domain.commands.params import InvalidParams, NotExpressible
from csms_device_model.ocpp.commands import translate
from csms_kernel.ocpp.versions import OcppVersion

V16, V201, V21 = OcppVersion.V16, OcppVersion.V201, OcppVersion.V21


@pytest.mark.parametrize(
    ("version", "params", "payload"),
    [
        (V16, {"message": "heartbeat"}, {"requestedMessage": "Heartbeat"}),
        (
            V16,
            {"message": "status_notification", "evse_id": 2},
            {"requestedMessage": "StatusNotification", "connectorId": 2},
        ),
        (V16, {"message": "diagnostics_status_notification"}, {"requestedMessage": "DiagnosticsStatusNotification"}),
        (
            V201,
            {"message": "status_notification", "evse_id": 1, "connector_id": 1},
            {"requestedMessage": "StatusNotification", "evse": {"id": 1, "connectorId": 1}},
        ),
        (V201, {"message": "sign_v2g_certificate"}, {"requestedMessage": "SignV2GCertificate"}),
        (V21, {"message": "sign_v2g20_certificate"}, {"requestedMessage": "SignV2G20Certificate"}),
        (
            V21,
            {"message": "custom_trigger", "custom_trigger": "ReportTemperatures"},
            {"requestedMessage": "CustomTrigger", "customTrigger": "ReportTemperatures"},
        ),
    ],
)
def test_the_request_each_version_gets(version: OcppVersion, params: dict[str, Any], payload: dict[str, Any]) -> None:
    plan = translate("trigger-message", version, params)
    assert [c.as_json() for c in plan.calls] == [{"action": "TriggerMessage", "payload": payload}]


@pytest.mark.parametrize("version", list(OcppVersion))
def test_the_answer_reads_as_one_result(version: OcppVersion) -> None:
    plan = translate("trigger-message", version, {"message": "boot_notification"})
    assert plan.read([{"status": "NotImplemented"}]) == {"status": "not_implemented"}


@pytest.mark.parametrize(
    ("params", "payload"),
    [
        ({"message": "sign_charging_station_certificate"}, {"requestedMessage": "SignChargePointCertificate"}),
        ({"message": "log_status_notification"}, {"requestedMessage": "LogStatusNotification"}),
        (
            {"message": "log_status_notification", "evse_id": 2},
            {"requestedMessage": "LogStatusNotification", "connectorId": 2},
        ),
    ],
)
def test_ocpp16_asks_for_the_security_whitepaper_messages_with_extended_trigger_message(
    params: dict[str, Any], payload: dict[str, Any]
) -> None:
    plan = translate("trigger-message", V16, params)
    assert [c.as_json() for c in plan.calls] == [{"action": "ExtendedTriggerMessage", "payload": payload}]
    assert plan.read([{"status": "Rejected"}]) == {"status": "rejected"}


def test_ocpp16_names_every_message_it_can_trigger_when_refusing() -> None:
    with pytest.raises(NotExpressible, match="meter_values, status_notification, log_status_notification, sign_char"):
        translate("trigger-message", V16, {"message": "transaction_event"})


@pytest.mark.parametrize(
    ("version", "message", "why"),
    [
        (V16, "transaction_event", "OCPP 1.6 cannot trigger transaction_event"),
        (V16, "sign_v2g_certificate", r"OCPP 1.6 cannot trigger sign_v2g_certificate \(it can trigger: boot"),
        (V201, "diagnostics_status_notification", "OCPP 2.0.1 cannot trigger diagnostics_status_notification"),
        (V201, "sign_v2g20_certificate", "OCPP 2.0.1 cannot trigger sign_v2g20_certificate"),
    ],
)
def test_messages_a_version_cannot_trigger_are_refused(version: OcppVersion, message: str, why: str) -> None:
    with pytest.raises(NotExpressible, match=why):
        translate("trigger-message", version, {"message": message})


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({}, "params.message: is required"),
        ({"message": "Heartbeat"}, "params.message: unknown message 'Heartbeat'"),
        ({"message": "custom_trigger"}, "params.custom_trigger: is required"),
        ({"message": "heartbeat", "custom_trigger": "x"}, "params.custom_trigger: is only for message custom_trigger"),
    ],
)
def test_invalid_params_name_the_field(params: dict[str, Any], message: str) -> None:
    with pytest.raises(InvalidParams, match=message):
        translate("trigger-message", V21, params)
