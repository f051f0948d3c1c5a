"""Compiled validators for the official OCPP JSON schemas shipped in the `ocpp` package.

Validators are compiled with fastjsonschema on first use and cached per (version, action, direction);
a schema violation is mapped to the version's CALLERROR kind. Action names come from stations and operators:
they are checked against the version's known actions (the schema file names, listed once) before any cache or
file access, so the cache holds real actions only.
"""

from __future__ import annotations

import enum
import functools
import json
from collections.abc import Callable
from importlib import resources
from typing import Any

import fastjsonschema

from csms_kernel.ocpp.errors import ErrorKind, OcppCallError
from csms_kernel.ocpp.versions import OcppVersion

Validator = Callable[[Any], Any]


class MessageKind(enum.Enum):
    REQUEST = "request"
    RESPONSE = "response"
    # An OCPP 2.1 SEND (messageTypeId 6): one schema named after the action, no response.
    SEND = "send"


_CALL_KINDS = (MessageKind.REQUEST, MessageKind.RESPONSE)


# fastjsonschema rule → OCPP error kind (a missing field is an occurrence constraint, a wrong JSON type a type
# constraint, a value out of range/enum/length/format a property constraint, an unknown field a format error).
_RULE_KINDS: dict[str, ErrorKind] = {
    "type": ErrorKind.TYPE_CONSTRAINT_VIOLATION,
    "required": ErrorKind.OCCURRENCE_CONSTRAINT_VIOLATION,
    "minItems": ErrorKind.OCCURRENCE_CONSTRAINT_VIOLATION,
    "maxItems": ErrorKind.OCCURRENCE_CONSTRAINT_VIOLATION,
    "additionalProperties": ErrorKind.FORMAT_VIOLATION,
}


def _schema_file(version: OcppVersion, action: str, kind: MessageKind) -> str:
    if kind is MessageKind.SEND:
        return f"{action}.json"
    if version is OcppVersion.V16:
        return f"{action}.json" if kind is MessageKind.REQUEST else f"{action}Response.json"
    return f"{action}Request.json" if kind is MessageKind.REQUEST else f"{action}Response.json"


@functools.cache
def _schema_files(version: OcppVersion) -> frozenset[str]:
    folder = resources.files("ocpp").joinpath(version.schema_dir, "schemas")
    return frozenset(entry.name for entry in folder.iterdir() if entry.name.endswith(".json"))


@functools.cache
def schema_names(version: OcppVersion) -> frozenset[str]:
    """Every message name the version has a schema for, CALLs and 2.1's SENDs."""
    return frozenset(
        name.removesuffix(".json").removesuffix("Response").removesuffix("Request") for name in _schema_files(version)
    )


@functools.cache
def known_actions(version: OcppVersion) -> frozenset[str]:
    """The version's CALL actions: the names with a request and a response schema."""
    files = _schema_files(version)
    return frozenset(
        name
        for name in schema_names(version)
        if all(_schema_file(version, name, kind) in files for kind in _CALL_KINDS)
    )


@functools.cache
def known_sends(version: OcppVersion) -> frozenset[str]:
    """The version's SEND messages (2.1): a schema named after the message, no request/response pair."""
    return frozenset(
        name
        for name in schema_names(version) - known_actions(version)
        if _schema_file(version, name, MessageKind.SEND) in _schema_files(version)
    )


def validator_for(version: OcppVersion, action: str, kind: MessageKind) -> Validator | None:
    """The compiled validator, or None when the version defines no such action (SEND message for `SEND`)."""
    if action not in (known_sends(version) if kind is MessageKind.SEND else known_actions(version)):
        return None
    return _compiled(version, action, kind)


@functools.cache
def _compiled(version: OcppVersion, action: str, kind: MessageKind) -> Validator:
    path = resources.files("ocpp").joinpath(version.schema_dir, "schemas", _schema_file(version, action, kind))
    schema = json.loads(path.read_text(encoding="utf-8"))
    # The official schemas carry an "$id" URN that fastjsonschema would try to resolve remotely.
    schema.pop("$id", None)
    return fastjsonschema.compile(schema)


def action_exists(version: OcppVersion, action: str) -> bool:
    return validator_for(version, action, MessageKind.REQUEST) is not None


def validate(version: OcppVersion, action: str, kind: MessageKind, payload: dict[str, Any]) -> None:
    """Raises OcppCallError (the version's code) when `payload` violates the schema; NotImplemented if unknown."""
    validator = validator_for(version, action, kind)
    if validator is None:
        raise OcppCallError(ErrorKind.NOT_IMPLEMENTED, f"unknown action {action!r} in {version.subprotocol}")
    try:
        validator(payload)
    except fastjsonschema.JsonSchemaValueException as exc:
        error_kind = _RULE_KINDS.get(exc.rule or "", ErrorKind.PROPERTY_CONSTRAINT_VIOLATION)
        raise OcppCallError(error_kind, f"{action}: {exc.message}", {"rule": exc.rule or ""}) from exc
