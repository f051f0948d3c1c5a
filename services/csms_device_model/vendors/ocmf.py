"""DataTransfer vendor `org.csms.ocmf`, message `SignedMeterValue`: a station with a calibration-law (Eichrecht)
meter hands the CSMS the signed OCMF record of a charging session (Open Charge Metering Format, S.A.F.E. e.V.:
`OCMF|{payload}|{signature}`), which the operator must keep and give the customer with the invoice, so that
transparency software can check it against the meter's public key. The handler checks the record's structure,
answers Accepted or Rejected (reason `InvalidOcmf`) and puts what it read in the DataTransfer log: meter, pagination,
identification, readings (begin/end) and the energy between the begin and end readings. It does not verify the
signature (that needs the meter's public key, which the transparency software holds). Pure; no I/O.
"""

from __future__ import annotations

import json
import re
from decimal import Decimal, InvalidOperation
from typing import Any

from csms_device_model.domain.vendors import Vendor, VendorAnswer, VendorRequest

VENDOR_ID = "org.csms.ocmf"
SIGNED_METER_VALUE = "SignedMeterValue"
INVALID = "InvalidOcmf"

READING_TYPES = {
    "B": "begin",
    "C": "charging",
    "X": "exception",
    "E": "end",
    "L": "limit",
    "R": "remote",
    "A": "abort",
    "P": "power_fail",
    "S": "suspended",
    "T": "tariff_change",
}
TIME_STATUS = {"U": "unknown", "I": "informative", "S": "synchronized", "R": "relative"}
# "2019-06-26T08:57:44,337+0000 S": local time with milliseconds after a comma, UTC offset, time status
_TIME = re.compile(r"^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2},\d{3}[+-]\d{4}) ([UISR])$")
_PAGINATION = re.compile(r"^[TF]\d+$")
_HEX = re.compile(r"^(?:[0-9A-Fa-f]{2})+$")


class InvalidRecord(ValueError):
    pass


def signed_meter_value(request: VendorRequest) -> VendorAnswer:
    try:
        details = read_record(request.data)
    except InvalidRecord as exc:
        return VendorAnswer.rejected(INVALID, details={"problem": str(exc)})
    return VendorAnswer.accepted(details=details)


def read_record(data: Any) -> dict[str, Any]:
    """The record's content for the log; InvalidRecord says what is wrong."""
    if not isinstance(data, str):
        raise InvalidRecord("data must be the OCMF record as text")
    if not data.startswith("OCMF|"):
        raise InvalidRecord("the record must start with 'OCMF|'")
    payload_text, separator, signature_text = data[len("OCMF|") :].rpartition("|")
    if not separator:
        raise InvalidRecord("the record must be OCMF|{payload}|{signature}")
    payload = _object(payload_text, "payload")
    signature = _object(signature_text, "signature")
    readings = [_reading(i, reading) for i, reading in enumerate(_list(payload, "RD"))]
    if not readings:
        raise InvalidRecord("payload.RD: at least one reading is required")
    pagination = _text(payload, "PG", required=True)
    if not _PAGINATION.match(pagination):
        raise InvalidRecord(f"payload.PG: must be T<n> (transaction) or F<n> (fiscal), got {pagination!r}")
    details: dict[str, Any] = {
        "format_version": _text(payload, "FV", required=True),
        "pagination": pagination,
        "gateway": {"id": _text(payload, "GI"), "serial": _text(payload, "GS"), "version": _text(payload, "GV")},
        "meter": {
            "vendor": _text(payload, "MV"),
            "model": _text(payload, "MM"),
            "serial": _text(payload, "MS", required=True),
            "firmware": _text(payload, "MF"),
        },
        "identification": {
            "status": payload.get("IS") if isinstance(payload.get("IS"), bool) else None,
            "level": _text(payload, "IL"),
            "type": _text(payload, "IT"),
            "data": _text(payload, "ID"),
        },
        "readings": readings,
        "signature": _signature(signature),
    }
    energy = _energy(readings)
    if energy is not None:
        details["energy"] = energy
    return details


def _object(text: str, name: str) -> dict[str, Any]:
    try:
        value = json.loads(text, parse_float=Decimal)
    except ValueError as exc:
        raise InvalidRecord(f"{name}: not JSON ({exc})") from exc
    if not isinstance(value, dict):
        raise InvalidRecord(f"{name}: must be a JSON object")
    return value


def _list(payload: dict[str, Any], name: str) -> list[Any]:
    value = payload.get(name)
    if not isinstance(value, list):
        raise InvalidRecord(f"payload.{name}: must be a list")
    return value


def _text(source: dict[str, Any], name: str, *, required: bool = False, where: str = "payload") -> str:
    value = source.get(name)
    if value is None and not required:
        return ""
    if not isinstance(value, str) or (required and not value):
        raise InvalidRecord(f"{where}.{name}: must be a non-empty string")
    return value


def _reading(index: int, reading: Any) -> dict[str, Any]:
    where = f"payload.RD[{index}]"
    if not isinstance(reading, dict):
        raise InvalidRecord(f"{where}: must be an object")
    time = _TIME.match(_text(reading, "TM", required=True, where=where))
    if time is None:
        raise InvalidRecord(f"{where}.TM: must be like 2019-06-26T08:57:44,337+0000 S")
    kind = _text(reading, "TX", where=where)
    if kind and kind not in READING_TYPES:
        raise InvalidRecord(f"{where}.TX: must be one of {''.join(READING_TYPES)}, got {kind!r}")
    value = reading.get("RV")
    if isinstance(value, bool) or not isinstance(value, int | Decimal):
        raise InvalidRecord(f"{where}.RV: must be a number")
    return {
        "time": time.group(1),
        "time_status": TIME_STATUS[time.group(2)],
        "type": READING_TYPES.get(kind, ""),
        "value": str(value),
        "unit": _text(reading, "RU", required=True, where=where),
        "obis": _text(reading, "RI", where=where),
        "status": _text(reading, "ST", where=where),
    }


def _signature(signature: dict[str, Any]) -> dict[str, str]:
    data = _text(signature, "SD", required=True, where="signature")
    encoding = _text(signature, "SE", where="signature") or "hex"
    if encoding == "hex" and not _HEX.match(data):
        raise InvalidRecord("signature.SD: must be hex")
    return {
        "algorithm": _text(signature, "SA", where="signature") or "ECDSA-secp256r1-SHA256",
        "encoding": encoding,
        "data": data,
    }


def _energy(readings: list[dict[str, Any]]) -> dict[str, str] | None:
    """The end reading minus the begin reading, when the record has both in one unit."""
    begin = next((r for r in readings if r["type"] == "begin"), None)
    end = next((r for r in reversed(readings) if r["type"] == "end"), None)
    if begin is None or end is None or begin["unit"] != end["unit"]:
        return None
    try:
        return {"value": str(Decimal(end["value"]) - Decimal(begin["value"])), "unit": end["unit"]}
    except InvalidOperation:
        return None


VENDOR = Vendor(VENDOR_ID, {SIGNED_METER_VALUE: signed_meter_value})
