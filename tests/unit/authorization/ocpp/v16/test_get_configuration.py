"""OCPP 1.6 GetConfiguration for the local list limits: the keys asked for and the limits read."""

from __future__ import annotations

from typing import Any

import pytest
from ocpp.v16 import call_result

from csms_authorization.domain.local_lists import MessageLimits
from csms_authorization.ocpp.v16 import get_configuration
from csms_kernel.ocpp.payloads import to_payload, to_request
from csms_kernel.ocpp.schemas import MessageKind, validate
from csms_kernel.ocpp.versions import OcppVersion


def test_the_request_asks_for_the_local_list_keys() -> None:
    payload = to_payload(get_configuration.request())
    assert payload == {"key": ["SendLocalListMaxLength", "LocalAuthListMaxLength"]}
    validate(OcppVersion.V16, "GetConfiguration", MessageKind.REQUEST, payload)


@pytest.mark.parametrize(
    ("answer", "limits"),
    [
        (
            {
                "configurationKey": [
                    {"key": "SendLocalListMaxLength", "readonly": True, "value": "20"},
                    {"key": "LocalAuthListMaxLength", "readonly": True, "value": "500"},
                ]
            },
            MessageLimits(items_per_message=20, capacity=500),
        ),
        ({"unknownKey": ["SendLocalListMaxLength", "LocalAuthListMaxLength"]}, MessageLimits()),
        (
            {
                "configurationKey": [
                    {"key": "SendLocalListMaxLength", "readonly": True, "value": "0"},
                    {"key": "LocalAuthListMaxLength", "readonly": True},
                ]
            },
            MessageLimits(),
        ),
        ({"configurationKey": [{"key": "SendLocalListMaxLength", "readonly": True, "value": "many"}]}, MessageLimits()),
    ],
)
def test_the_limits_are_read_from_the_answer(answer: dict[str, Any], limits: MessageLimits) -> None:
    validate(OcppVersion.V16, "GetConfiguration", MessageKind.RESPONSE, answer)
    assert get_configuration.outcome(to_request(call_result.GetConfiguration, answer)) == limits
