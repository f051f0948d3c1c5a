"""Conversion between OCPP JSON payloads (camelCase) and the `ocpp` package's dataclasses (snake_case)."""

from __future__ import annotations

import dataclasses
from typing import Any

from ocpp.charge_point import camel_to_snake_case, remove_nones, serialize_as_dict, snake_to_camel_case

from csms.runtime.errors import ErrorKind, OcppCallError


def to_request(request_type: type[Any], payload: dict[str, Any]) -> Any:
    """Builds the `ocpp` call dataclass; nested objects stay dicts (snake_case), as in the `ocpp` package."""
    try:
        return request_type(**camel_to_snake_case(payload))
    except TypeError as exc:
        raise OcppCallError(ErrorKind.FORMAT_VIOLATION, f"payload does not fit {request_type.__name__}") from exc


def to_payload(message: Any) -> dict[str, Any]:
    """Serialises an `ocpp` call/call_result dataclass to its camelCase JSON payload, without None fields."""
    if not dataclasses.is_dataclass(message) or isinstance(message, type):
        raise TypeError(f"expected an ocpp dataclass instance, got {type(message).__name__}")
    payload: dict[str, Any] = snake_to_camel_case(remove_nones(serialize_as_dict(message)))
    return payload
