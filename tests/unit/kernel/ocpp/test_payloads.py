"""Payload conversion: the cached key conversion gives exactly what the `ocpp` package's converters give."""

from __future__ import annotations

from typing import Any

from ocpp.charge_point import camel_to_snake_case, remove_nones, serialize_as_dict, snake_to_camel_case
from ocpp.v201 import call as v201_call

from csms_kernel.ocpp.payloads import to_payload, to_request

TRANSACTION_EVENT: dict[str, Any] = {
    "eventType": "Updated",
    "timestamp": "2026-01-02T03:04:05Z",
    "triggerReason": "MeterValuePeriodic",
    "seqNo": 3,
    "transactionInfo": {"transactionId": "tx-1", "chargingState": "Charging", "remoteStartId": 7},
    "evse": {"id": 1, "connectorId": 1},
    "meterValue": [
        {
            "timestamp": "2026-01-02T03:04:05Z",
            "sampledValue": [
                {"value": 12.5, "measurand": "SoC", "unitOfMeasure": {"unit": "Percent", "multiplier": 0}},
                {"value": 7400, "measurand": "Power.Active.Import", "phase": "L1-N"},
            ],
        }
    ],
    "customData": {"vendorId": "x", "ocppCSMSURL": "wss://x", "maxV2XPower": 1, "evV2GCapable": True},
}


def test_keys_convert_as_in_the_ocpp_package_both_ways() -> None:
    request = to_request(v201_call.TransactionEvent, TRANSACTION_EVENT)
    snake = camel_to_snake_case(TRANSACTION_EVENT)
    assert {key: getattr(request, key) for key in snake} == snake
    assert to_payload(request) == snake_to_camel_case(remove_nones(serialize_as_dict(request)))
    assert to_payload(request)["customData"]["ocppCsmsUrl"] == "wss://x"  # the package's spelling rules
