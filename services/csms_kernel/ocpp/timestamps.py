"""OCPP date-time strings: parsing what stations send (RFC 3339, 'Z' or an offset, any fraction) and formatting
the CSMS's own (UTC, milliseconds)."""

from __future__ import annotations

from datetime import UTC, datetime

from csms_kernel.ocpp.errors import ErrorKind, OcppCallError


def parse_ocpp_datetime(value: str) -> datetime:
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError as exc:
        raise OcppCallError(ErrorKind.PROPERTY_CONSTRAINT_VIOLATION, f"invalid date-time {value!r}") from exc
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def ocpp_datetime(moment: datetime) -> str:
    """RFC 3339 UTC with milliseconds, as OCPP expects (e.g. 2026-11-21T22:13:10.123Z)."""
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"
