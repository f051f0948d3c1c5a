"""`change-availability` in every version: the station, an EVSE or a connector; 1.6 numbers EVSE N as connector
N (connector 0: the station) and has no second connector on an EVSE."""

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
        (V16, {"operational": False}, {"connectorId": 0, "type": "Inoperative"}),
        (V16, {"operational": True, "evse_id": 2}, {"connectorId": 2, "type": "Operative"}),
        (V16, {"operational": False, "evse_id": 2, "connector_id": 1}, {"connectorId": 2, "type": "Inoperative"}),
        (V201, {"operational": True}, {"operationalStatus": "Operative"}),
        (V201, {"operational": False, "evse_id": 1}, {"operationalStatus": "Inoperative", "evse": {"id": 1}}),
        (
            V21,
            {"operational": False, "evse_id": 1, "connector_id": 2},
            {"operationalStatus": "Inoperative", "evse": {"id": 1, "connectorId": 2}},
        ),
    ],
)
def test_the_request_each_version_gets(version: OcppVersion, params: dict[str, Any], payload: dict[str, Any]) -> None:
    plan = translate("change-availability", version, params)
    assert [c.as_json() for c in plan.calls] == [{"action": "ChangeAvailability", "payload": payload}]


@pytest.mark.parametrize("version", list(OcppVersion))
def test_the_answer_reads_as_one_result(version: OcppVersion) -> None:
    plan = translate("change-availability", version, {"operational": True})
    assert plan.read([{"status": "Scheduled"}]) == {"status": "scheduled"}


def test_a_second_connector_of_an_evse_cannot_be_named_in_16() -> None:
    with pytest.raises(NotExpressible, match=r"OCPP 1.6 has one connector per EVSE.*EVSE 1 has no connector 2"):
        translate("change-availability", V16, {"operational": True, "evse_id": 1, "connector_id": 2})


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({}, "params.operational: is required"),
        ({"operational": "yes"}, "params.operational: must be true or false"),
        ({"operational": True, "connector_id": 1}, "params.evse_id: is required with connector_id"),
    ],
)
def test_invalid_params_name_the_field(params: dict[str, Any], message: str) -> None:
    with pytest.raises(InvalidParams, match=message):
        translate("change-availability", V201, params)
