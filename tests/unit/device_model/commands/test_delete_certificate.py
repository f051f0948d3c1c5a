"""`delete-certificate` in every version: by the hash data `get-installed-certificate-ids` lists, each field
checked with an error naming it, or by the certificate's PEM, whose hash data is computed as OCPP and RFC 6960
define it (SHA-2 of the issuer's DER name and of its public key bits, serial number in hex)."""

from __future__ import annotations

import hashlib
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization

from csms_device_model.domain.commands.params import InvalidParams
from csms_device_model.ocpp.commands import translate
from csms_kernel.ocpp.versions import OcppVersion
from tests.unit.device_model.commands.conftest import Certificates

V16, V201, V21 = OcppVersion.V16, OcppVersion.V201, OcppVersion.V21

HASH = {"hash_algorithm": "SHA256", "issuer_name_hash": "aa01", "issuer_key_hash": "BB02", "serial_number": "1f"}
PAYLOAD = {"hashAlgorithm": "SHA256", "issuerNameHash": "aa01", "issuerKeyHash": "BB02", "serialNumber": "1f"}


def sent(version: OcppVersion, params: dict[str, Any]) -> list[dict[str, Any]]:
    return [c.as_json() for c in translate("delete-certificate", version, params).calls]


@pytest.mark.parametrize("version", list(OcppVersion))
def test_the_hash_data_goes_as_given(version: OcppVersion) -> None:
    assert sent(version, HASH) == [{"action": "DeleteCertificate", "payload": {"certificateHashData": PAYLOAD}}]


@pytest.mark.parametrize(
    ("version", "answer", "result"),
    [
        (V16, {"status": "NotFound"}, {"status": "not_found"}),
        (V201, {"status": "Accepted"}, {"status": "accepted"}),
        (
            V21,
            {"status": "Failed", "statusInfo": {"reasonCode": "InUse"}},
            {"status": "failed", "status_info": {"reason_code": "InUse"}},
        ),
    ],
)
def test_the_answer_reads_as_one_result(version: OcppVersion, answer: dict[str, Any], result: dict[str, Any]) -> None:
    assert translate("delete-certificate", version, HASH).read([answer]) == result


def expected(certificates: Certificates, digest: str) -> dict[str, str]:
    root = certificates.root
    key_bits = root.public_key().public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
    return {
        "hashAlgorithm": digest.upper(),
        "issuerNameHash": hashlib.new(digest, root.subject.public_bytes()).hexdigest(),
        "issuerKeyHash": hashlib.new(digest, key_bits).hexdigest(),
    }


def test_a_self_signed_root_is_deleted_by_its_pem(certificates: Certificates) -> None:
    (call,) = sent(V201, {"certificate_pem": certificates.root_pem})
    serial = format(certificates.root.serial_number, "x")
    assert call["payload"]["certificateHashData"] == {**expected(certificates, "sha256"), "serialNumber": serial}


def test_an_issued_certificate_is_deleted_by_its_pem_followed_by_its_issuers(certificates: Certificates) -> None:
    (call,) = sent(V16, {"certificate_pem": certificates.chain_pem, "hash_algorithm": "SHA384"})
    serial = format(certificates.leaf.serial_number, "x")
    assert call["payload"]["certificateHashData"] == {**expected(certificates, "sha384"), "serialNumber": serial}


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({**HASH, "hash_algorithm": "MD5"}, "params.hash_algorithm: must be one of SHA256, SHA384, SHA512, got 'MD5'"),
        ({**HASH, "issuer_name_hash": "xyz"}, "params.issuer_name_hash: must be hexadecimal digits, got 'xyz'"),
        (
            {**HASH, "issuer_key_hash": "a" * 129},
            "params.issuer_key_hash: must be at most 128 hexadecimal digits, got 129",
        ),
        ({**HASH, "serial_number": "0x1f"}, "params.serial_number: must be hexadecimal digits"),
        ({**HASH, "serial_number": "1" * 41}, "params.serial_number: must be at most 40 hexadecimal digits, got 41"),
        ({"hash_algorithm": "SHA256", "issuer_name_hash": "aa"}, "params.issuer_key_hash: is required"),
        ({}, "params.hash_algorithm: is required"),
        ({**HASH, "serial": "1f"}, "params.serial: unknown parameter"),
        ({"certificate_pem": "nope"}, "params.certificate_pem: is not a PEM certificate"),
    ],
)
def test_invalid_params_name_the_field(params: Any, message: str) -> None:
    with pytest.raises(InvalidParams, match=message):
        translate("delete-certificate", V201, params)


def test_a_pem_and_hash_data_together_or_an_issued_certificate_alone_are_refused(certificates: Certificates) -> None:
    with pytest.raises(InvalidParams, match=r"params.serial_number: give either certificate_pem or the hash data"):
        translate("delete-certificate", V201, {"certificate_pem": certificates.root_pem, "serial_number": "1"})
    with pytest.raises(
        InvalidParams, match=r"params.certificate_pem: the certificate is not self-signed: give its iss"
    ):
        translate("delete-certificate", V201, {"certificate_pem": certificates.leaf_pem})
    reversed_chain = certificates.root_pem + certificates.leaf_pem
    with pytest.raises(InvalidParams, match=r"params.certificate_pem: the second certificate is not the issuer of the"):
        translate("delete-certificate", V201, {"certificate_pem": reversed_chain})
