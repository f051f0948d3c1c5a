"""`unlock-connector` in every version: 2.x EVSE and connector, 1.6 connector N for EVSE N."""

from __future__ import annotations

from typing import Any

import pytest

from csms_device_model.domain.commands.params import InvalidParams, NotExpressible
from csms_device_model.ocpp.commands import translate
from csms_kernel.ocpp.versions import OcppVersion

V16, V201, V21 = OcppVersion.V16, OcppVersion.V201, OcppVersion.V21
PARAMS = {"evse_id": 2, "connector_id": 1}


@pytest.mark.parametrize(
    ("version", "payload"),
    [(V16, {"connectorId": 2}), (V201, {"evseId": 2, "connectorId": 1}), (V21, {"evseId": 2, "connectorId": 1})],
)
def test_the_request_each_version_gets(version: OcppVersion, payload: dict[str, Any]) -> None:
    plan = translate("unlock-connector", version, PARAMS)
    assert [c.as_json() for c in plan.calls] == [{"action": "UnlockConnector", "payload": payload}]


@pytest.mark.parametrize(
    ("version", "status", "neutral"),
    [
        (V16, "NotSupported", "not_supported"),
        (V16, "UnlockFailed", "unlock_failed"),
        (V201, "OngoingAuthorizedTransaction", "ongoing_authorized_transaction"),
        (V21, "UnknownConnector", "unknown_connector"),
        (V21, "Unlocked", "unlocked"),
    ],
)
def test_the_answer_reads_as_one_result(version: OcppVersion, status: str, neutral: str) -> None:
    assert translate("unlock-connector", version, PARAMS).read([{"status": status}]) == {"status": neutral}


def test_16_has_one_connector_per_evse() -> None:
    with pytest.raises(NotExpressible, match="EVSE 2 has no connector 3"):
        translate("unlock-connector", V16, {"evse_id": 2, "connector_id": 3})


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"connector_id": 1}, "params.evse_id: is required"),
        ({"evse_id": 1}, "params.connector_id: is required"),
        ({"evse_id": 1, "connector_id": -1}, "params.connector_id: must be at least 1"),
    ],
)
def test_invalid_params_name_the_field(params: dict[str, Any], message: str) -> None:
    with pytest.raises(InvalidParams, match=message):
        translate("unlock-connector", V21, params)
