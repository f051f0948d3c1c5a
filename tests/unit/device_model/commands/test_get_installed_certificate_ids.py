"""`get-installed-certificate-ids` in every version: 1.6 asks one type per message (both when none is given) and
the answers read as one list; 2.x asks the types in one message (none: all) and reports each certificate's type
and its chain's children."""

from __future__ import annotations

from typing import Any

import pytest

from csms_device_model.domain.commands.params import InvalidParams, NotExpressible
from csms_device_model.ocpp.commands import translate
from csms_kernel.ocpp.versions import OcppVersion

V16, V201, V21 = OcppVersion.V16, OcppVersion.V201, OcppVersion.V21

HASH = {"hashAlgorithm": "SHA256", "issuerNameHash": "aa01", "issuerKeyHash": "bb02", "serialNumber": "1f"}
NEUTRAL = {"hash_algorithm": "SHA256", "issuer_name_hash": "aa01", "issuer_key_hash": "bb02", "serial_number": "1f"}
CHILD = {**HASH, "serialNumber": "2e"}


def sent(version: OcppVersion, params: dict[str, Any]) -> list[dict[str, Any]]:
    return [c.as_json() for c in translate("get-installed-certificate-ids", version, params).calls]


def test_ocpp16_asks_one_type_per_message() -> None:
    assert sent(V16, {}) == [
        {"action": "GetInstalledCertificateIds", "payload": {"certificateType": "CentralSystemRootCertificate"}},
        {"action": "GetInstalledCertificateIds", "payload": {"certificateType": "ManufacturerRootCertificate"}},
    ]
    assert sent(V16, {"certificate_types": ["manufacturer_root"]}) == [
        {"action": "GetInstalledCertificateIds", "payload": {"certificateType": "ManufacturerRootCertificate"}}
    ]


def test_ocpp16_answers_read_as_one_list_with_each_type() -> None:
    plan = translate("get-installed-certificate-ids", V16, {})
    result = plan.read([{"status": "NotFound"}, {"status": "Accepted", "certificateHashData": [HASH]}])
    assert result == {
        "status": "accepted",
        "certificates": [{"certificate_type": "manufacturer_root", **NEUTRAL}],
    }
    assert plan.read([{"status": "NotFound"}, {"status": "NotFound"}]) == {"status": "not_found", "certificates": []}


@pytest.mark.parametrize(
    ("version", "params", "payload"),
    [
        (V201, {}, {}),
        (
            V201,
            {"certificate_types": ["v2g_root", "csms_root"]},
            {"certificateType": ["V2GRootCertificate", "CSMSRootCertificate"]},
        ),
        (V201, {"certificate_types": ["v2g_certificate_chain"]}, {"certificateType": ["V2GCertificateChain"]}),
        (V21, {"certificate_types": ["oem_root", "oem_root"]}, {"certificateType": ["OEMRootCertificate"]}),
    ],
)
def test_ocpp2_asks_the_types_in_one_message(
    version: OcppVersion, params: dict[str, Any], payload: dict[str, Any]
) -> None:
    assert sent(version, params) == [{"action": "GetInstalledCertificateIds", "payload": payload}]


@pytest.mark.parametrize("version", [V201, V21])
def test_ocpp2_answers_give_each_certificate_its_type_and_children(version: OcppVersion) -> None:
    answer = {
        "status": "Accepted",
        "certificateHashDataChain": [
            {"certificateType": "CSMSRootCertificate", "certificateHashData": HASH},
            {
                "certificateType": "V2GCertificateChain",
                "certificateHashData": HASH,
                "childCertificateHashData": [CHILD],
            },
        ],
    }
    result = translate("get-installed-certificate-ids", version, {}).read([answer])
    assert result == {
        "status": "accepted",
        "certificates": [
            {"certificate_type": "csms_root", **NEUTRAL},
            {
                "certificate_type": "v2g_certificate_chain",
                **NEUTRAL,
                "child_certificates": [{**NEUTRAL, "serial_number": "2e"}],
            },
        ],
    }
    assert translate("get-installed-certificate-ids", version, {}).read([{"status": "NotFound"}]) == {
        "status": "not_found",
        "certificates": [],
    }


@pytest.mark.parametrize(
    ("version", "types", "why"),
    [
        (
            V16,
            ["csms_root", "mo_root"],
            r"OCPP 1.6 has no mo_root certificates \(it has: csms_root, manufacturer_root\)",
        ),
        (V16, ["v2g_certificate_chain"], "OCPP 1.6 has no v2g_certificate_chain certificates"),
        (V201, ["oem_root"], "OCPP 2.0.1 has no oem_root certificates"),
    ],
)
def test_types_a_version_lacks_are_refused(version: OcppVersion, types: list[str], why: str) -> None:
    with pytest.raises(NotExpressible, match=why):
        translate("get-installed-certificate-ids", version, {"certificate_types": types})


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"certificate_types": "csms_root"}, "params.certificate_types: must be a non-empty list"),
        ({"certificate_types": ["csms_root", "CSMSRootCertificate"]}, r"params.certificate_types\[1\]: must be one of"),
        ({"certificate_type": ["csms_root"]}, "params.certificate_type: unknown parameter"),
    ],
)
def test_invalid_params_name_the_field(params: Any, message: str) -> None:
    with pytest.raises(InvalidParams, match=message):
        translate("get-installed-certificate-ids", V201, params)
