"""What the monitoring commands share (OCPP 2.x block N): a monitored component variable named as a `Component`,
`Component.Variable` or an object, the monitor types and their OCPP spelling, severities. Pure; no I/O.

A target is given as
- a string `Component.Variable` (`EVSE.Power`), or `Component` alone where a variable may be left out
  (get-monitoring-report);
- an object `{component, variable?, component_instance?, variable_instance?, evse_id?, connector_id?}`.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Any

from csms_device_model.domain.commands.params import InvalidParams, Params

SEVERITIES = range(0, 10)
"""0 Danger .. 9 Debug (OCPP 2.0.1 Part 2 N: severity levels)."""


class MonitorType(enum.Enum):
    UPPER_THRESHOLD = "upper_threshold"
    LOWER_THRESHOLD = "lower_threshold"
    DELTA = "delta"
    PERIODIC = "periodic"
    PERIODIC_CLOCK_ALIGNED = "periodic_clock_aligned"
    TARGET_DELTA = "target_delta"
    TARGET_DELTA_RELATIVE = "target_delta_relative"

    @property
    def ocpp(self) -> str:
        return "".join(part.capitalize() for part in self.value.split("_"))


V2_1_ONLY = frozenset({MonitorType.TARGET_DELTA, MonitorType.TARGET_DELTA_RELATIVE})

_TARGET_FIELDS = ("component", "variable", "component_instance", "variable_instance", "evse_id", "connector_id")


@dataclass(frozen=True)
class Target:
    """A component and (unless `variable` is None) one of its variables."""

    component: str
    variable: str | None = None
    component_instance: str | None = None
    variable_instance: str | None = None
    evse_id: int | None = None
    connector_id: int | None = None

    def component_type(self) -> dict[str, Any]:
        """The 2.x ComponentType, snake_case as the `ocpp` dataclasses take it."""
        found: dict[str, Any] = {"name": self.component}
        if self.component_instance is not None:
            found["instance"] = self.component_instance
        if self.evse_id is not None:
            found["evse"] = {"id": self.evse_id}
            if self.connector_id is not None:
                found["evse"]["connector_id"] = self.connector_id
        return found

    def variable_type(self) -> dict[str, Any]:
        found: dict[str, Any] = {"name": self.variable}
        if self.variable_instance is not None:
            found["instance"] = self.variable_instance
        return found

    def shown(self) -> dict[str, Any]:
        """The target in neutral results: the object form without absent fields."""
        fields = {name: getattr(self, name) for name in _TARGET_FIELDS}
        return {name: value for name, value in fields.items() if value is not None}


def parse_target(value: Any, where: str, *, variable_required: bool = True) -> Target:
    if isinstance(value, str) and value:
        component, dot, variable = value.partition(".")
        if not component or (dot and not variable) or (variable_required and not variable):
            expected = "Component.Variable" if variable_required else "Component or Component.Variable"
            raise InvalidParams(where, f"{value!r} is not {expected}")
        return Target(component, variable or None)
    params = Params(value, _TARGET_FIELDS, where)
    name = params.text("component", required=True)
    assert name is not None
    if params.has("connector_id") and not params.has("evse_id"):
        raise InvalidParams(params.field("evse_id"), "is required with connector_id")
    return Target(
        name,
        params.text("variable", required=variable_required),
        params.text("component_instance"),
        params.text("variable_instance"),
        params.integer("evse_id", minimum=0),
        params.integer("connector_id", minimum=0),
    )


def severity(params: Params, name: str = "severity") -> int:
    found = params.integer(name, required=True)
    assert found is not None
    if found not in SEVERITIES:
        raise InvalidParams(params.field(name), f"must be 0 (danger) to 9 (debug), got {found}")
    return found


def target_of(component: dict[str, Any] | None, variable: dict[str, Any] | None) -> Target:
    """A target read from a station's ComponentType and VariableType (snake_case dicts)."""
    component = component or {}
    evse = component.get("evse") or {}
    return Target(
        str(component.get("name", "")),
        (variable or {}).get("name"),
        component.get("instance"),
        (variable or {}).get("instance"),
        evse.get("id"),
        evse.get("connector_id"),
    )
