"""`data-transfer` in every version: vendor, message id and data; 1.6 carries data as text (a JSON value that is
not a string goes as its JSON text), 2.x as any JSON."""

from __future__ import annotations

from typing import Any

import pytest

from csms_device_model.domain.commands.params import InvalidParams
from csms_device_model.ocpp.commands import translate
from csms_kernel.ocpp.versions import OcppVersion

V16, V201, V21 = OcppVersion.V16, OcppVersion.V201, OcppVersion.V21


@pytest.mark.parametrize(
    ("version", "params", "payload"),
    [
        (V16, {"vendor_id": "ACME"}, {"vendorId": "ACME"}),
        (
            V16,
            {"vendor_id": "ACME", "message_id": "m", "data": "x"},
            {"vendorId": "ACME", "messageId": "m", "data": "x"},
        ),
        (V16, {"vendor_id": "ACME", "data": {"a": [1, 2]}}, {"vendorId": "ACME", "data": '{"a":[1,2]}'}),
        (V201, {"vendor_id": "ACME", "data": {"a": 1}}, {"vendorId": "ACME", "data": {"a": 1}}),
        (V21, {"vendor_id": "ACME", "message_id": "m", "data": 7}, {"vendorId": "ACME", "messageId": "m", "data": 7}),
    ],
)
def test_the_request_each_version_gets(version: OcppVersion, params: dict[str, Any], payload: dict[str, Any]) -> None:
    plan = translate("data-transfer", version, params)
    assert [c.as_json() for c in plan.calls] == [{"action": "DataTransfer", "payload": payload}]


@pytest.mark.parametrize(
    ("version", "answer", "result"),
    [
        (V16, {"status": "Accepted", "data": "pong"}, {"status": "accepted", "data": "pong"}),
        (V16, {"status": "UnknownVendorId"}, {"status": "unknown_vendor_id", "data": None}),
        (V201, {"status": "Accepted", "data": {"b": 2}}, {"status": "accepted", "data": {"b": 2}}),
        (V21, {"status": "UnknownMessageId"}, {"status": "unknown_message_id", "data": None}),
    ],
)
def test_the_answer_reads_as_one_result(version: OcppVersion, answer: dict[str, Any], result: dict[str, Any]) -> None:
    assert translate("data-transfer", version, {"vendor_id": "ACME"}).read([answer]) == result


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({}, "params.vendor_id: is required"),
        ({"vendor_id": ""}, "params.vendor_id: must be a non-empty string"),
        ({"vendor_id": "A", "message_id": 5}, "params.message_id: must be a non-empty string"),
        ({"vendor_id": "A" * 256}, "payload not valid for ocpp1.6"),
    ],
)
def test_invalid_params_name_the_field(params: dict[str, Any], message: str) -> None:
    with pytest.raises(InvalidParams, match=message):
        translate("data-transfer", V16, params)
