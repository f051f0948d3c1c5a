"""Parameters shared by the firmware and log commands (update-firmware, get-diagnostics, get-log,
publish-firmware): date-times given as RFC 3339 text, and the station's retry settings. Pure; no I/O."""

from __future__ import annotations

from dataclasses import dataclass

from csms_device_model.domain.commands.params import InvalidParams, Params
from csms_kernel.ocpp.errors import OcppCallError
from csms_kernel.ocpp.timestamps import ocpp_datetime, parse_ocpp_datetime


def date_time(params: Params, name: str, *, required: bool = False) -> str | None:
    """The named parameter as an OCPP date-time (UTC, milliseconds), or None when absent and not required."""
    value = params.text(name, required=required)
    if value is None:
        return None
    try:
        return ocpp_datetime(parse_ocpp_datetime(value))
    except OcppCallError:
        raise InvalidParams(params.field(name), f"must be an RFC 3339 date-time, got {value!r}") from None


@dataclass(frozen=True)
class Retries:
    """How often the station tries again (`retries`) and how long it waits between tries (`retry_interval`, s)."""

    retries: int | None = None
    retry_interval: int | None = None


RETRY_PARAMS = ("retries", "retry_interval")


def retries(params: Params) -> Retries:
    return Retries(params.integer("retries", minimum=0), params.integer("retry_interval", minimum=0))


def location(params: Params, name: str, *, required: bool = True) -> str | None:
    """A URL the station downloads from or uploads to (OCPP: anyURI; checked for a scheme only)."""
    value = params.text(name, required=required)
    if value is not None and "://" not in value:
        raise InvalidParams(params.field(name), f"must be a URL (scheme://...), got {value!r}")
    return value
