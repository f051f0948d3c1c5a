"""`update-firmware` in every version: 1.6 UpdateFirmware for an unsigned image, SignedUpdateFirmware for a signed
one; 2.x UpdateFirmware with the firmware object and the requestId; bad params refused naming the field."""

from __future__ import annotations

from typing import Any

import pytest

from csms_device_model.domain.commands.params import InvalidParams, NotExpressible
from csms_device_model.ocpp.commands import takes_request_id, translate
from csms_kernel.ocpp.versions import OcppVersion

V16, V201, V21 = OcppVersion.V16, OcppVersion.V201, OcppVersion.V21
CERT = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"
BASE = {"location": "https://fw.example/img.bin", "retrieve_date_time": "2026-12-06T12:00:00+01:00", "request_id": 7}


def sent(version: OcppVersion, params: dict[str, Any]) -> list[dict[str, Any]]:
    return [call.as_json() for call in translate("update-firmware", version, params).calls]


def test_it_takes_a_request_id() -> None:
    assert takes_request_id("update-firmware")


def test_1_6_unsigned_is_update_firmware_with_retries() -> None:
    params = {**BASE, "retries": 3, "retry_interval": 60}
    assert sent(V16, params) == [
        {
            "action": "UpdateFirmware",
            "payload": {
                "location": "https://fw.example/img.bin",
                "retrieveDate": "2026-12-06T11:00:00.000Z",
                "retries": 3,
                "retryInterval": 60,
            },
        }
    ]


def test_1_6_signed_is_signed_update_firmware() -> None:
    params = {**BASE, "signing_certificate": CERT, "signature": "c2ln", "install_date_time": "2026-12-07T00:00:00Z"}
    assert sent(V16, params) == [
        {
            "action": "SignedUpdateFirmware",
            "payload": {
                "requestId": 7,
                "firmware": {
                    "location": "https://fw.example/img.bin",
                    "retrieveDateTime": "2026-12-06T11:00:00.000Z",
                    "installDateTime": "2026-12-07T00:00:00.000Z",
                    "signingCertificate": CERT,
                    "signature": "c2ln",
                },
            },
        }
    ]


@pytest.mark.parametrize("version", [V201, V21])
def test_2_x_sends_the_firmware_object(version: OcppVersion) -> None:
    params = {**BASE, "signing_certificate": CERT, "signature": "c2ln", "retries": 1}
    (call,) = sent(version, params)
    assert call["action"] == "UpdateFirmware"
    assert call["payload"] == {
        "requestId": 7,
        "firmware": {
            "location": "https://fw.example/img.bin",
            "retrieveDateTime": "2026-12-06T11:00:00.000Z",
            "signingCertificate": CERT,
            "signature": "c2ln",
        },
        "retries": 1,
    }


@pytest.mark.parametrize(
    ("version", "answer", "result"),
    [
        (V16, {}, {"status": "accepted"}),
        (V16, {"status": "InvalidCertificate"}, {"status": "invalid_certificate"}),
        (V201, {"status": "AcceptedCanceled"}, {"status": "accepted_canceled"}),
        (V21, {"status": "RevokedCertificate"}, {"status": "revoked_certificate"}),
    ],
)
def test_the_answer_reads_as_a_status(version: OcppVersion, answer: dict[str, Any], result: dict[str, Any]) -> None:
    params = {**BASE, "signing_certificate": CERT, "signature": "s"} if answer else BASE
    assert translate("update-firmware", version, params).read([answer]) == result


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"retrieve_date_time": "2026-12-06T12:00:00Z"}, "params.location"),
        ({**BASE, "location": "not a url"}, "params.location"),
        ({**BASE, "retrieve_date_time": "yesterday"}, "params.retrieve_date_time"),
        ({**BASE, "retries": -1}, "params.retries"),
        ({**BASE, "signing_certificate": "nope"}, "params.signing_certificate"),
        ({**BASE, "checksum": "x"}, "params.checksum"),
    ],
)
def test_bad_params_are_refused_naming_the_field(params: dict[str, Any], field: str) -> None:
    with pytest.raises(InvalidParams) as refused:
        translate("update-firmware", V201, params)
    assert refused.value.field == field


def test_1_6_signed_needs_both_certificate_and_signature() -> None:
    with pytest.raises(InvalidParams, match=r"params\.signing_certificate: is required"):
        translate("update-firmware", V16, {**BASE, "signature": "c2ln"})


def test_1_6_unsigned_has_no_install_date() -> None:
    with pytest.raises(NotExpressible, match="no install date-time"):
        translate("update-firmware", V16, {**BASE, "install_date_time": "2026-12-07T00:00:00Z"})
