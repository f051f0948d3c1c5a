"""Conversion between OCPP JSON payloads (camelCase) and the `ocpp` package's dataclasses (snake_case).

Key names are converted by the `ocpp` package's own rules (regular expressions and spelling exceptions),
once per distinct key: the conversions are cached (bounded), since the same few hundred keys recur.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from functools import lru_cache
from typing import Any

from ocpp.charge_point import camel_to_snake_case, remove_nones, serialize_as_dict, snake_to_camel_case

from csms_kernel.ocpp.errors import ErrorKind, OcppCallError


def to_request(request_type: type[Any], payload: dict[str, Any]) -> Any:
    """Builds the `ocpp` call dataclass; nested objects stay dicts (snake_case), as in the `ocpp` package."""
    try:
        return request_type(**_converted(payload, _snake_key))
    except TypeError as exc:
        raise OcppCallError(ErrorKind.FORMAT_VIOLATION, f"payload does not fit {request_type.__name__}") from exc


def to_payload(message: Any) -> dict[str, Any]:
    """Serialises an `ocpp` call/call_result dataclass to its camelCase JSON payload, without None fields."""
    if not dataclasses.is_dataclass(message) or isinstance(message, type):
        raise TypeError(f"expected an ocpp dataclass instance, got {type(message).__name__}")
    payload: dict[str, Any] = _converted(remove_nones(serialize_as_dict(message)), _camel_key)
    return payload


@lru_cache(maxsize=4096)
def _snake_key(key: str) -> str:
    (converted,) = camel_to_snake_case({key: None})
    return str(converted)


@lru_cache(maxsize=4096)
def _camel_key(key: str) -> str:
    (converted,) = snake_to_camel_case({key: None})
    return str(converted)


def _converted(data: Any, key: Callable[[str], str]) -> Any:
    """`data` with the keys of every dictionary in it converted by `key`."""
    if isinstance(data, dict):
        return {key(name): _converted(value, key) for name, value in data.items()}
    if isinstance(data, list):
        return [_converted(value, key) for value in data]
    return data
