"""`raw` in every version: any action the CSMS sends in that version, its payload checked against the version's
schema; actions only stations send and actions of other versions are refused; the result is the CALLRESULT
payload as the station sent it, checked against the response schema."""

from __future__ import annotations

from typing import Any

import pytest

from csms_device_model.domain.commands.params import InvalidParams
from csms_device_model.ocpp.commands import AnswerNotUnderstood, translate
from csms_kernel.ocpp.versions import OcppVersion

V16, V201, V21 = OcppVersion.V16, OcppVersion.V201, OcppVersion.V21


@pytest.mark.parametrize(
    ("version", "action", "payload"),
    [
        (V16, "GetLocalListVersion", {}),
        (V201, "GetBaseReport", {"requestId": 1, "reportBase": "FullInventory"}),
        (V21, "GetTariffs", {"evseId": 1}),
    ],
)
def test_an_action_the_csms_sends_goes_as_given(version: OcppVersion, action: str, payload: dict[str, Any]) -> None:
    plan = translate("raw", version, {"action": action, "payload": payload})
    assert [c.as_json() for c in plan.calls] == [{"action": action, "payload": payload}]


def test_the_result_is_the_station_payload() -> None:
    plan = translate("raw", V16, {"action": "GetLocalListVersion"})
    assert plan.read([{"listVersion": 3}]) == {"listVersion": 3}
    with pytest.raises(AnswerNotUnderstood, match="GetLocalListVersion answer"):
        plan.read([{"version": 3}])


@pytest.mark.parametrize(
    ("version", "params", "message"),
    [
        (V16, {"action": "BootNotification", "payload": {}}, "params.action: 'BootNotification' is sent by stations"),
        (V201, {"action": "TransactionEvent"}, "params.action: 'TransactionEvent' is sent by stations"),
        (V16, {"action": "GetVariables"}, "params.action: 'GetVariables' is not an action of ocpp1.6"),
        (V16, {"action": "Reset", "payload": {"type": "Immediate"}}, "params.payload: payload not valid for ocpp1.6"),
        (V16, {"action": "Reset", "payload": []}, "params.payload: must be a JSON object"),
        (V21, {"payload": {}}, "params.action: is required"),
    ],
)
def test_refused_before_sending(version: OcppVersion, params: dict[str, Any], message: str) -> None:
    with pytest.raises(InvalidParams, match=message):
        translate("raw", version, params)
