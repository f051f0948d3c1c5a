"""`customer-information` in 2.0.1 and 2.1: report and/or clear what the station keeps about one customer, named by
exactly one of id token, certificate or identifier; the parts come later with the command's requestId."""

from __future__ import annotations

from typing import Any

import pytest

from csms_device_model.domain.commands.params import InvalidParams, NotExpressible
from csms_device_model.ocpp.commands import takes_request_id, translate
from csms_kernel.ocpp.versions import OcppVersion

V16, V201, V21 = OcppVersion.V16, OcppVersion.V201, OcppVersion.V21
CERTIFICATE = {"hash_algorithm": "SHA256", "issuer_name_hash": "aa", "issuer_key_hash": "bb", "serial_number": "01"}


def test_takes_a_request_id() -> None:
    assert takes_request_id("customer-information")


@pytest.mark.parametrize("version", [V201, V21])
@pytest.mark.parametrize(
    ("customer", "sent"),
    [
        (
            {"id_token": {"id_token": "04A2B3", "type": "ISO14443"}},
            {"idToken": {"idToken": "04A2B3", "type": "ISO14443"}},
        ),
        (
            {"customer_certificate": CERTIFICATE},
            {
                "customerCertificate": {
                    "hashAlgorithm": "SHA256",
                    "issuerNameHash": "aa",
                    "issuerKeyHash": "bb",
                    "serialNumber": "01",
                }
            },
        ),
        ({"customer_identifier": "customer-7"}, {"customerIdentifier": "customer-7"}),
    ],
)
def test_the_request_names_one_customer(version: OcppVersion, customer: dict[str, Any], sent: dict[str, Any]) -> None:
    plan = translate("customer-information", version, {"request_id": 9, **customer})
    assert [c.as_json() for c in plan.calls] == [
        {"action": "CustomerInformation", "payload": {"requestId": 9, "report": True, "clear": False, **sent}}
    ]
    assert plan.read([{"status": "Accepted"}]) == {"status": "accepted", "request_id": 9}


def test_clear_without_report() -> None:
    plan = translate(
        "customer-information", V201, {"request_id": 1, "report": False, "clear": True, "customer_identifier": "c"}
    )
    assert plan.calls[0].payload == {"requestId": 1, "report": False, "clear": True, "customerIdentifier": "c"}
    assert plan.read([{"status": "Invalid"}]) == {"status": "invalid", "request_id": 1}


def test_1_6_has_no_customer_information() -> None:
    with pytest.raises(NotExpressible):
        translate("customer-information", V16, {"request_id": 1, "customer_identifier": "c"})


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"customer_identifier": "c"}, "params.request_id: is required"),
        ({"request_id": 1}, "give exactly one of id_token, customer_certificate, customer_identifier"),
        (
            {"request_id": 1, "customer_identifier": "c", "id_token": {"id_token": "a", "type": "Local"}},
            "give exactly one of",
        ),
        ({"request_id": 1, "report": False, "customer_identifier": "c"}, "params.report: report or clear"),
        ({"request_id": 1, "id_token": {"id_token": "a"}}, "params.id_token.type: is required"),
        ({"request_id": 1, "customer_certificate": {**CERTIFICATE, "hash_algorithm": "MD5"}}, "payload not valid"),
        ({"request_id": 1, "id_token": {"id_token": "a", "type": "Bogus"}}, "payload not valid for ocpp2.0.1"),
    ],
)
def test_invalid_params_name_the_field(params: dict[str, Any], message: str) -> None:
    with pytest.raises(InvalidParams, match=message):
        translate("customer-information", V201, params)
