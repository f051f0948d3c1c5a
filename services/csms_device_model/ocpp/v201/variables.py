"""What 2.0.1 and 2.1 GetVariables/SetVariables share: a neutral configuration key as ComponentType and
VariableType (snake_case, as the `ocpp` dataclasses take them), and finding the result that answers a key
(results come in any order; names match case-insensitively, as the specification has them). No I/O."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from csms_device_model.domain.commands.configuration import ConfigKey, Variable
from csms_device_model.domain.commands.results import text

Identity = tuple[str, str, int | None, int | None, str, str]


def component(variable: Variable) -> dict[str, Any]:
    found: dict[str, Any] = {"name": variable.component}
    if variable.component_instance is not None:
        found["instance"] = variable.component_instance
    if variable.evse_id is not None:
        found["evse"] = {"id": variable.evse_id}
        if variable.connector_id is not None:
            found["evse"]["connector_id"] = variable.connector_id
    return found


def variable_type(variable: Variable) -> dict[str, Any]:
    found: dict[str, Any] = {"name": variable.variable}
    if variable.variable_instance is not None:
        found["instance"] = variable.variable_instance
    return found


def identity(component: dict[str, Any], variable: dict[str, Any]) -> Identity:
    evse = component.get("evse") or {}
    return (
        str(component.get("name", "")).lower(),
        str(component.get("instance") or "").lower(),
        evse.get("id"),
        evse.get("connector_id"),
        str(variable.get("name", "")).lower(),
        str(variable.get("instance") or "").lower(),
    )


def answers(keys: Sequence[ConfigKey], found: Iterable[dict[str, Any]]) -> list[tuple[Any, dict[str, Any]]]:
    """Each key's label with the result that answers it, in the order of the keys; a key the station left
    unanswered gets an empty result."""
    by_identity = {identity(r.get("component") or {}, r.get("variable") or {}): r for r in found}
    paired = []
    for key in keys:
        v2 = key.v2()
        paired.append((key.label, by_identity.get(identity(component(v2), variable_type(v2)), {})))
    return paired


def status_of(found: dict[str, Any], field: str) -> str:
    return text(found.get(field, "Rejected"))
