"""`get-report` (2.x): ask the station for the part of its device model that matches criteria, sent back in
NotifyReport parts with the command's requestId. Params: `request_id` (from the command id, `request_ids`),
optional `component_criteria` (a list of active, available, enabled, problem) and optional `component_variables`
(a list of `{component, component_instance?, evse_id?, connector_id?, variable?, variable_instance?}`; without
`variable`, every variable of the component). Without criteria the station reports everything. 1.6 has no such
report."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Any

from csms_device_model.domain.commands.params import InvalidParams, Params, check_evse
from csms_device_model.domain.commands.request_ids import PARAM


class ComponentCriterion(enum.Enum):
    ACTIVE = "active"
    AVAILABLE = "available"
    ENABLED = "enabled"
    PROBLEM = "problem"

    @property
    def ocpp(self) -> str:
        return self.value.capitalize()


@dataclass(frozen=True)
class ComponentVariable:
    component: str
    component_instance: str | None = None
    evse_id: int | None = None
    connector_id: int | None = None
    variable: str | None = None
    variable_instance: str | None = None

    def as_ocpp(self) -> dict[str, Any]:
        """ComponentVariableType, snake_case (as the `ocpp` dataclasses take it)."""
        component: dict[str, Any] = {"name": self.component}
        if self.component_instance is not None:
            component["instance"] = self.component_instance
        if self.evse_id is not None:
            component["evse"] = {"id": self.evse_id}
            if self.connector_id is not None:
                component["evse"]["connector_id"] = self.connector_id
        found: dict[str, Any] = {"component": component}
        if self.variable is not None:
            found["variable"] = {"name": self.variable}
            if self.variable_instance is not None:
                found["variable"]["instance"] = self.variable_instance
        return found


@dataclass(frozen=True)
class GetReport:
    request_id: int
    component_criteria: tuple[ComponentCriterion, ...] = ()
    component_variables: tuple[ComponentVariable, ...] = ()


_FIELDS = ("component", "component_instance", "evse_id", "connector_id", "variable", "variable_instance")


def parse(raw: Any) -> GetReport:
    params = Params(raw, (PARAM, "component_criteria", "component_variables"))
    request_id = params.integer(PARAM, required=True, minimum=0)
    assert request_id is not None
    criteria = []
    for i, name in enumerate(params.items("component_criteria") or []):
        where = f"{params.field('component_criteria')}[{i}]"
        try:
            criteria.append(ComponentCriterion(name))
        except ValueError:
            names = ", ".join(c.value for c in ComponentCriterion)
            raise InvalidParams(where, f"must be one of {names}, got {name!r}") from None
    return GetReport(
        request_id,
        tuple(criteria),
        tuple(
            _component_variable(Params(item, _FIELDS, f"{params.field('component_variables')}[{i}]"))
            for i, item in enumerate(params.items("component_variables") or [])
        ),
    )


def _component_variable(params: Params) -> ComponentVariable:
    check_evse(params)
    if params.has("variable_instance") and not params.has("variable"):
        raise InvalidParams(params.field("variable"), "is required with variable_instance")
    component = params.text("component", required=True)
    assert component is not None
    return ComponentVariable(
        component,
        params.text("component_instance"),
        params.integer("evse_id", minimum=0),
        params.integer("connector_id", minimum=0),
        params.text("variable"),
        params.text("variable_instance"),
    )
