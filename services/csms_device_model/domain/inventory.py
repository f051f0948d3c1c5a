"""The device model inventory's keys and what command answers say about it (docs/adr/0032). Pure; no I/O.

An inventory entry is one variable attribute: (component, component instance, EVSE, connector, variable,
variable instance, attribute type). Absent instances are '' and an absent EVSE or connector is NO_EVSE, so the
key is complete whatever the station left out and a repeated report lands on the same rows.

`observations` reads a finished get-configuration / set-configuration command from the frames it sent and
received (not its neutral result, which names keys as the operator did): 2.x GetVariables / SetVariables results
per attribute, and 1.6 GetConfiguration / ChangeConfiguration under the component `OCPP16` (variable = the key as
the station spells it, attribute Actual, readonly → mutability ReadOnly). Set-password and set-security-profile
also send SetVariables, but their values are secrets and are not recorded.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from csms.device_model.v1 import device_model_pb2

NO_EVSE = -1
ACTUAL = "Actual"
V16_COMPONENT = "OCPP16"
CALLRESULT = 3
OBSERVED_COMMANDS = ("get-configuration", "set-configuration")


@dataclass(frozen=True)
class AttributeKey:
    component: str
    component_instance: str
    evse_id: int
    connector_id: int
    variable: str
    variable_instance: str
    attribute_type: str

    def row(self) -> tuple[str, str, int, int, str, str, str]:
        return (
            self.component,
            self.component_instance,
            self.evse_id,
            self.connector_id,
            self.variable,
            self.variable_instance,
            self.attribute_type,
        )


def key_of(component: dict[str, Any], variable: dict[str, Any], attribute_type: str | None) -> AttributeKey:
    """The key of a ComponentType / VariableType (camelCase, as the frames carry them) and an attribute type."""
    evse = component.get("evse") or {}
    evse_id, connector_id = evse.get("id"), evse.get("connectorId")
    return AttributeKey(
        str(component.get("name", "")),
        str(component.get("instance") or ""),
        NO_EVSE if evse_id is None else int(evse_id),
        NO_EVSE if connector_id is None else int(connector_id),
        str(variable.get("name", "")),
        str(variable.get("instance") or ""),
        attribute_type or ACTUAL,
    )


def v16_key(key: str) -> AttributeKey:
    return AttributeKey(V16_COMPONENT, "", NO_EVSE, NO_EVSE, key, "", ACTUAL)


@dataclass(frozen=True)
class ValueRead:
    """A GetVariables / GetConfiguration answer for one attribute: its status and, when Accepted, its value."""

    key: AttributeKey
    status: str
    value: str | None = None
    mutability: str | None = None


@dataclass(frozen=True)
class ValueSet:
    """A SetVariables / ChangeConfiguration answer for one attribute: the value asked and the station's status."""

    key: AttributeKey
    value: str
    status: str

    @property
    def applied(self) -> bool:
        """The station applied the value now (RebootRequired: only after a reboot, so not yet its value)."""
        return self.status == "Accepted"


Observation = ValueRead | ValueSet


def observations(command: str, version: str, request_json: str, response_json: str) -> list[Observation]:
    """What the answered command says about the inventory (nothing for other commands, or without answers).
    `version` is the OCPP subprotocol (ocpp1.6, ocpp2.0.1, ocpp2.1)."""
    if command not in OBSERVED_COMMANDS or not response_json:
        return []
    calls = json.loads(request_json or "[]")
    payloads = [frame[2] for frame in json.loads(response_json) if frame and frame[0] == CALLRESULT]
    answered = list(zip((call["payload"] for call in calls), payloads, strict=False))
    if version == "ocpp1.6":
        return list(_v16(command, answered))
    return list(_v2(command, answered))


def _v16(command: str, answered: Sequence[tuple[dict[str, Any], dict[str, Any]]]) -> Iterator[Observation]:
    for sent, payload in answered:
        if command == "get-configuration":
            for item in payload.get("configurationKey") or ():
                mutability = "ReadOnly" if item.get("readonly") else "ReadWrite"
                yield ValueRead(v16_key(str(item["key"])), "Accepted", item.get("value"), mutability)
            for key in payload.get("unknownKey") or ():
                yield ValueRead(v16_key(str(key)), "UnknownVariable")
        else:
            yield ValueSet(v16_key(str(sent["key"])), str(sent["value"]), str(payload.get("status", "")))


def _v2(command: str, answered: Sequence[tuple[dict[str, Any], dict[str, Any]]]) -> Iterator[Observation]:
    for sent, payload in answered:
        if command == "get-configuration":
            for found in payload.get("getVariableResult") or ():
                status = str(found.get("attributeStatus", ""))
                value = found.get("attributeValue") if status == "Accepted" else None
                yield ValueRead(_result_key(found), status, value)
        else:
            data = sent.get("setVariableData") or ()
            asked = {_result_key(item): str(item.get("attributeValue", "")) for item in data}
            for found in payload.get("setVariableResult") or ():
                key = _result_key(found)
                if key in asked:
                    yield ValueSet(key, asked[key], str(found.get("attributeStatus", "")))


def _result_key(found: dict[str, Any]) -> AttributeKey:
    return key_of(found.get("component") or {}, found.get("variable") or {}, found.get("attributeType"))


def reported_keys(variable: device_model_pb2.ReportedVariable) -> list[AttributeKey]:
    """The key of each attribute of a reported variable, in the order of its attributes."""
    return [
        AttributeKey(
            variable.component,
            variable.component_instance,
            variable.evse_id if variable.HasField("evse_id") else NO_EVSE,
            variable.connector_id if variable.HasField("connector_id") else NO_EVSE,
            variable.variable,
            variable.variable_instance,
            attribute.type or ACTUAL,
        )
        for attribute in variable.attributes
    ]
