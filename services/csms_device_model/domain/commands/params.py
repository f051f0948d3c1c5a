"""Reading a command's version-neutral parameters (a JSON object, snake_case names): typed getters that refuse a
wrong value with a message naming the field, and the errors every command raises. Pure; no I/O."""

from __future__ import annotations

import enum
import re
from collections.abc import Iterable, Mapping
from typing import Any, TypeVar

EnumT = TypeVar("EnumT", bound=enum.Enum)


class CommandRefused(ValueError):
    """The command cannot be sent as given (reported as INVALID_ARGUMENT); the message says why."""


class InvalidParams(CommandRefused):
    """A parameter is missing, unknown or of the wrong kind; the message names it (`params.<name>`)."""

    def __init__(self, field: str, problem: str) -> None:
        super().__init__(f"{field}: {problem}")
        self.field = field


class NotExpressible(CommandRefused):
    """The station's OCPP version has no way to say this; the message says why."""


def snake(name: str) -> str:
    """`UnlockFailed` → `unlock_failed`, `SignV2GCertificate` → `sign_v2g_certificate`: how OCPP enum values read
    in neutral results."""
    return re.sub(r"(?<=[a-z])(?=[A-Z])|(?<=[A-Z0-9])(?=[A-Z][a-z])", "_", name).lower()


class Params:
    """The parameters of one command; `where` prefixes field names in messages (`params`, `params.settings[0]`)."""

    def __init__(self, raw: Any, allowed: Iterable[str], where: str = "params") -> None:
        if not isinstance(raw, Mapping):
            raise InvalidParams(where, "must be a JSON object")
        self.where = where
        self._raw = raw
        known = set(allowed)
        unknown = sorted(set(raw) - known)
        if unknown:
            names = ", ".join(sorted(known)) or "none"
            raise InvalidParams(self.field(unknown[0]), f"unknown parameter (this command takes: {names})")

    def field(self, name: str) -> str:
        return f"{self.where}.{name}"

    def has(self, name: str) -> bool:
        return self._raw.get(name) is not None

    def value(self, name: str, *, required: bool = False) -> Any:
        value = self._raw.get(name)
        if value is None and required:
            raise InvalidParams(self.field(name), "is required")
        return value

    def integer(self, name: str, *, required: bool = False, minimum: int | None = None) -> int | None:
        value = self.value(name, required=required)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            raise InvalidParams(self.field(name), f"must be an integer, got {value!r}")
        if minimum is not None and value < minimum:
            raise InvalidParams(self.field(name), f"must be at least {minimum}, got {value}")
        return value

    def boolean(self, name: str, *, required: bool = False) -> bool | None:
        value = self.value(name, required=required)
        if value is not None and not isinstance(value, bool):
            raise InvalidParams(self.field(name), f"must be true or false, got {value!r}")
        return value

    def text(self, name: str, *, required: bool = False) -> str | None:
        value = self.value(name, required=required)
        if value is None:
            return None
        if not isinstance(value, str) or (required and not value):
            raise InvalidParams(self.field(name), f"must be a non-empty string, got {value!r}")
        return value

    def choice(self, name: str, choices: type[EnumT], *, required: bool = False) -> EnumT | None:
        value = self.text(name, required=required)
        if value is None:
            return None
        try:
            return choices(value)
        except ValueError:
            names = ", ".join(str(c.value) for c in choices)
            raise InvalidParams(self.field(name), f"must be one of {names}, got {value!r}") from None

    def items(self, name: str, *, required: bool = False) -> list[Any] | None:
        value = self.value(name, required=required)
        if value is None:
            return None
        if not isinstance(value, list) or (required and not value):
            raise InvalidParams(self.field(name), "must be a non-empty list")
        return value


def check_evse(params: Params, *, evse_required: bool = False, connector_required: bool = False) -> None:
    """`connector_id` names a connector of the EVSE `evse_id`, so it needs one."""
    if params.has("connector_id") and not params.has("evse_id"):
        raise InvalidParams(params.field("evse_id"), "is required with connector_id")
    if evse_required and not params.has("evse_id"):
        raise InvalidParams(params.field("evse_id"), "is required")
    if connector_required and not params.has("connector_id"):
        raise InvalidParams(params.field("connector_id"), "is required")
