"""`install-certificate` in every version: the root types each version has (1.6 security whitepaper: Central
System and manufacturer roots; 2.0.1 also V2G and MO roots; 2.1 also OEM roots), one PEM certificate that is not
marked as a leaf, within the version's schema limit (5500 characters; 2.1 10000)."""

from __future__ import annotations

from typing import Any

import pytest

from csms_device_model.domain.commands.params import InvalidParams, NotExpressible
from csms_device_model.ocpp.commands import translate
from csms_kernel.ocpp.versions import OcppVersion
from tests.unit.device_model.commands.conftest import Certificates

V16, V201, V21 = OcppVersion.V16, OcppVersion.V201, OcppVersion.V21


@pytest.mark.parametrize(
    ("version", "certificate_type", "name"),
    [
        (V16, "csms_root", "CentralSystemRootCertificate"),
        (V16, "manufacturer_root", "ManufacturerRootCertificate"),
        (V201, "csms_root", "CSMSRootCertificate"),
        (V201, "v2g_root", "V2GRootCertificate"),
        (V201, "mo_root", "MORootCertificate"),
        (V21, "manufacturer_root", "ManufacturerRootCertificate"),
        (V21, "oem_root", "OEMRootCertificate"),
    ],
)
def test_the_request_each_version_gets(
    certificates: Certificates, version: OcppVersion, certificate_type: str, name: str
) -> None:
    params = {"certificate_type": certificate_type, "certificate_pem": certificates.root_pem}
    plan = translate("install-certificate", version, params)
    assert [c.as_json() for c in plan.calls] == [
        {"action": "InstallCertificate", "payload": {"certificateType": name, "certificate": certificates.root_pem}}
    ]


@pytest.mark.parametrize(
    ("version", "answer", "result"),
    [
        (V16, {"status": "Failed"}, {"status": "failed"}),
        (V201, {"status": "Accepted"}, {"status": "accepted"}),
        (
            V21,
            {"status": "Rejected", "statusInfo": {"reasonCode": "Expired"}},
            {"status": "rejected", "status_info": {"reason_code": "Expired"}},
        ),
    ],
)
def test_the_answer_reads_as_one_result(
    certificates: Certificates, version: OcppVersion, answer: dict[str, Any], result: dict[str, Any]
) -> None:
    params = {"certificate_type": "csms_root", "certificate_pem": certificates.root_pem}
    assert translate("install-certificate", version, params).read([answer]) == result


@pytest.mark.parametrize(
    ("version", "certificate_type", "why"),
    [
        (V16, "v2g_root", r"OCPP 1.6 has no v2g_root certificates \(it has: csms_root, manufacturer_root\)"),
        (V16, "oem_root", "OCPP 1.6 has no oem_root certificates"),
        (V201, "oem_root", "OCPP 2.0.1 has no oem_root certificates"),
    ],
)
def test_types_a_version_lacks_are_refused(
    certificates: Certificates, version: OcppVersion, certificate_type: str, why: str
) -> None:
    with pytest.raises(NotExpressible, match=why):
        translate(
            "install-certificate",
            version,
            {"certificate_type": certificate_type, "certificate_pem": certificates.root_pem},
        )


@pytest.mark.parametrize(("version", "name", "limit"), [(V16, "1.6", 5500), (V201, "2.0.1", 5500), (V21, "2.1", 10000)])
def test_a_certificate_longer_than_the_version_carries_is_refused(
    certificates: Certificates, version: OcppVersion, name: str, limit: int
) -> None:
    # PEM allows text around the block: padding keeps it one parseable certificate
    pem = "x" * (limit + 1 - len(certificates.root_pem)) + "\n" + certificates.root_pem
    with pytest.raises(InvalidParams, match=rf"params.certificate_pem: is {len(pem)} characters; OCPP {name} carries "):
        translate("install-certificate", version, {"certificate_type": "csms_root", "certificate_pem": pem})
    fits = pem[2:]
    translate("install-certificate", version, {"certificate_type": "csms_root", "certificate_pem": fits})


def test_only_one_certificate_that_may_be_a_ca_is_installed(certificates: Certificates) -> None:
    with pytest.raises(InvalidParams, match=r"params.certificate_pem: must hold exactly one certificate, got 2"):
        translate(
            "install-certificate", V201, {"certificate_type": "csms_root", "certificate_pem": certificates.chain_pem}
        )
    with pytest.raises(InvalidParams, match=r"params.certificate_pem: is not a CA certificate \(basicConstraints CA:F"):
        translate(
            "install-certificate", V201, {"certificate_type": "csms_root", "certificate_pem": certificates.leaf_pem}
        )


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"certificate_pem": "x"}, "params.certificate_type: is required"),
        ({"certificate_type": "csms_root"}, "params.certificate_pem: is required"),
        ({"certificate_type": "root", "certificate_pem": "x"}, "params.certificate_type: must be one of csms_root, "),
        (
            {"certificate_type": "v2g_certificate_chain", "certificate_pem": "x"},
            "params.certificate_type: v2g_certificate_chain is the station's own chain: it is not installed",
        ),
        ({"certificate_type": "csms_root", "certificate_pem": "x"}, "params.certificate_pem: is not a PEM certificate"),
    ],
)
def test_invalid_params_name_the_field(params: Any, message: str) -> None:
    with pytest.raises(InvalidParams, match=message):
        translate("install-certificate", V21, params)
