"""`certificate-signed` in every version: 1.6 CertificateSigned{certificateChain} (security whitepaper), 2.0.1
with its certificateType, 2.1 also V2G20Certificate and requestId; the chain must be PEM and within the
version's schema limit; what a version cannot say is refused with the reason."""

from __future__ import annotations

from typing import Any

import pytest

from csms_device_model.domain.commands.params import InvalidParams, NotExpressible
from csms_device_model.ocpp.commands import translate
from csms_kernel.ocpp.versions import OcppVersion
from tests.unit.device_model.commands.conftest import Certificates

V16, V201, V21 = OcppVersion.V16, OcppVersion.V201, OcppVersion.V21


@pytest.mark.parametrize(
    ("version", "params", "extra"),
    [
        (V16, {}, {}),
        (V16, {"certificate_type": "charging_station"}, {}),
        (V201, {}, {"certificateType": "ChargingStationCertificate"}),
        (V201, {"certificate_type": "v2g"}, {"certificateType": "V2GCertificate"}),
        (V21, {"certificate_type": "v2g20", "request_id": 7}, {"certificateType": "V2G20Certificate", "requestId": 7}),
    ],
)
def test_the_request_each_version_gets(
    certificates: Certificates, version: OcppVersion, params: dict[str, Any], extra: dict[str, Any]
) -> None:
    chain = certificates.chain_pem
    plan = translate("certificate-signed", version, {"certificate_chain_pem": chain, **params})
    assert [c.as_json() for c in plan.calls] == [
        {"action": "CertificateSigned", "payload": {"certificateChain": chain, **extra}}
    ]


@pytest.mark.parametrize(
    ("version", "answer", "result"),
    [
        (V16, {"status": "Accepted"}, {"status": "accepted"}),
        (V201, {"status": "Rejected"}, {"status": "rejected"}),
        (
            V21,
            {"status": "Rejected", "statusInfo": {"reasonCode": "InvalidChain"}},
            {"status": "rejected", "status_info": {"reason_code": "InvalidChain"}},
        ),
    ],
)
def test_the_answer_reads_as_one_result(
    certificates: Certificates, version: OcppVersion, answer: dict[str, Any], result: dict[str, Any]
) -> None:
    plan = translate("certificate-signed", version, {"certificate_chain_pem": certificates.chain_pem})
    assert plan.read([answer]) == result


@pytest.mark.parametrize(
    ("version", "params", "why"),
    [
        (V16, {"certificate_type": "v2g"}, "OCPP 1.6 signs charge point certificates only, not v2g certificates"),
        (V16, {"request_id": 1}, "OCPP 1.6 CertificateSigned has no request id"),
        (V201, {"certificate_type": "v2g20"}, r"OCPP 2.0.1 has no v2g20 certificate type \(it has: charging_st"),
        (V201, {"request_id": 1}, "OCPP 2.0.1 CertificateSigned has no request id"),
    ],
)
def test_what_a_version_cannot_express_is_refused(
    certificates: Certificates, version: OcppVersion, params: dict[str, Any], why: str
) -> None:
    with pytest.raises(NotExpressible, match=why):
        translate("certificate-signed", version, {"certificate_chain_pem": certificates.chain_pem, **params})


@pytest.mark.parametrize(("version", "name"), [(V16, "1.6"), (V201, "2.0.1"), (V21, "2.1")])
def test_a_chain_longer_than_the_version_carries_is_refused_naming_the_field(
    certificates: Certificates, version: OcppVersion, name: str
) -> None:
    chain = certificates.chain_pem * (10001 // len(certificates.chain_pem) + 1)
    message = rf"params.certificate_chain_pem: is {len(chain)} characters; OCPP {name} carries at most 10000"
    with pytest.raises(InvalidParams, match=message):
        translate("certificate-signed", version, {"certificate_chain_pem": chain})


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({}, "params.certificate_chain_pem: is required"),
        ({"certificate_chain_pem": ""}, "params.certificate_chain_pem: must be a non-empty string"),
        ({"certificate_chain_pem": "not a certificate"}, "params.certificate_chain_pem: is not a PEM certificate"),
        (
            {"certificate_chain_pem": "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"},
            "params.certificate_chain_pem: is not a PEM certificate",
        ),
        ({"certificate_chain_pem": "é"}, "params.certificate_chain_pem: is not PEM: PEM text is ASCII"),
        ({"certificate_chain_pem": "x", "certificate_type": "tls"}, "params.certificate_type: must be one of"),
        ({"certificate_chain_pem": "x", "chain": "x"}, r"params.chain: unknown parameter"),
    ],
)
def test_invalid_params_name_the_field(params: Any, message: str) -> None:
    with pytest.raises(InvalidParams, match=message):
        translate("certificate-signed", V201, params)
