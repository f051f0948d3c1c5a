"""Vendor org.csms.ocmf, SignedMeterValue: an OCMF record is read into the log's details and Accepted; a malformed
one is Rejected (InvalidOcmf) with what is wrong."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest

from csms_device_model.domain.vendors import TransferStatus, VendorRequest
from csms_device_model.vendors.ocmf import SIGNED_METER_VALUE, VENDOR, VENDOR_ID
from csms_kernel.ocpp.versions import OcppVersion
from kit.builders.ocmf import PAYLOAD, record


def answer(data: Any, version: OcppVersion = OcppVersion.V16) -> Any:
    request = VendorRequest("CS-1", version, VENDOR_ID, SIGNED_METER_VALUE, data, datetime(2026, 1, 1, tzinfo=UTC))
    return VENDOR.handlers[SIGNED_METER_VALUE](request)


def test_a_record_is_accepted_and_read_for_the_log() -> None:
    read = answer(record())
    assert (read.status, read.data, read.reason_code) == (TransferStatus.ACCEPTED, None, None)
    assert read.details == {
        "format_version": "1.0",
        "pagination": "T9289",
        "gateway": {"id": "SEAL AG", "serial": "1850006a", "version": "1.34"},
        "meter": {
            "vendor": "Carlo Gavazzi",
            "model": "EM340-DIN.AV2.3.X.S1.PF",
            "serial": "******240084S",
            "firmware": "B4",
        },
        "identification": {"status": True, "level": "TRUSTED", "type": "ISO14443", "data": "56213C05"},
        "readings": [
            {
                "time": "2019-06-26T08:57:44,337+0000",
                "time_status": "unknown",
                "type": "begin",
                "value": "268.978",
                "unit": "kWh",
                "obis": "1-b:1.8.0",
                "status": "G",
            },
            {
                "time": "2019-06-26T09:57:44,337+0000",
                "time_status": "unknown",
                "type": "end",
                "value": "281.033",
                "unit": "kWh",
                "obis": "1-b:1.8.0",
                "status": "G",
            },
        ],
        "signature": {"algorithm": "ECDSA-secp256r1-SHA256", "encoding": "hex", "data": "3044022014"},
        "energy": {"value": "12.055", "unit": "kWh"},
    }
    json.dumps(read.details)  # the log keeps it as JSON


def test_2x_carries_the_record_as_a_json_string_too() -> None:
    assert answer(record(), OcppVersion.V201).status is TransferStatus.ACCEPTED


def test_no_energy_without_begin_and_end_in_one_unit() -> None:
    only_begin = {**PAYLOAD, "RD": PAYLOAD["RD"][:1]}
    assert "energy" not in answer(record(only_begin)).details


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        ({"ocmf": "x"}, "data must be the OCMF record as text"),
        ("XYZ|{}|{}", "must start with 'OCMF|'"),
        ("OCMF|{}", "OCMF|{payload}|{signature}"),
        ("OCMF|nope|{}", "payload: not JSON"),
        (record([1]), "payload: must be a JSON object"),
        (record({**PAYLOAD, "RD": []}), "payload.RD: at least one reading is required"),
        (record({**PAYLOAD, "PG": "X1"}), "payload.PG: must be T<n> (transaction) or F<n> (fiscal)"),
        (record({k: v for k, v in PAYLOAD.items() if k != "MS"}), "payload.MS: must be a non-empty string"),
        (record({**PAYLOAD, "RD": [{"TM": "yesterday", "RV": 1, "RU": "kWh"}]}), "payload.RD[0].TM: must be like"),
        (
            record({**PAYLOAD, "RD": [{"TM": "2019-06-26T08:57:44,337+0000 S", "RV": "1", "RU": "kWh"}]}),
            "payload.RD[0].RV: must be a number",
        ),
        (record(signature={"SD": "xyz"}), "signature.SD: must be hex"),
    ],
)
def test_a_malformed_record_is_rejected_with_the_problem(data: Any, problem: str) -> None:
    read = answer(data)
    assert (read.status, read.reason_code) == (TransferStatus.REJECTED, "InvalidOcmf")
    assert problem in read.details["problem"]
