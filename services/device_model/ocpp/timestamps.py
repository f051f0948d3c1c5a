"""Parsing of OCPP date-time strings (RFC 3339; stations send 'Z' or an offset, with or without fractions)."""

from __future__ import annotations

from datetime import UTC, datetime

from csms.runtime.errors import ErrorKind, OcppCallError


def parse_ocpp_datetime(value: str) -> datetime:
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError as exc:
        raise OcppCallError(ErrorKind.PROPERTY_CONSTRAINT_VIOLATION, f"invalid date-time {value!r}") from exc
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)
