"""The smart-charging OCPP actions, one table per version (station → CSMS: action → request type and handler).
OCPP 1.6 stations send the CSMS no smart-charging messages. The CSMS → station calls (SetChargingProfile,
ClearChargingProfile, GetCompositeSchedule, GetChargingProfiles) are device-model operator commands
(`set-charging-profile`, ...), so `CALLS` is empty."""

from __future__ import annotations

from types import ModuleType

from ocpp.v21 import call as v21
from ocpp.v201 import call as v201

from csms_kernel.handling.router import Route, RoutingTable
from csms_kernel.ocpp.versions import OcppVersion
from csms_smart_charging.ocpp.context import SmartChargingContext
from csms_smart_charging.ocpp.v21 import cleared_charging_limit as v21_cleared_charging_limit
from csms_smart_charging.ocpp.v21 import notify_charging_limit as v21_notify_charging_limit
from csms_smart_charging.ocpp.v21 import notify_ev_charging_needs as v21_notify_ev_charging_needs
from csms_smart_charging.ocpp.v21 import notify_ev_charging_schedule as v21_notify_ev_charging_schedule
from csms_smart_charging.ocpp.v21 import report_charging_profiles as v21_report_charging_profiles
from csms_smart_charging.ocpp.v201 import cleared_charging_limit as v201_cleared_charging_limit
from csms_smart_charging.ocpp.v201 import notify_charging_limit as v201_notify_charging_limit
from csms_smart_charging.ocpp.v201 import notify_ev_charging_needs as v201_notify_ev_charging_needs
from csms_smart_charging.ocpp.v201 import notify_ev_charging_schedule as v201_notify_ev_charging_schedule
from csms_smart_charging.ocpp.v201 import report_charging_profiles as v201_report_charging_profiles

V201: RoutingTable[SmartChargingContext] = {
    "NotifyChargingLimit": Route(v201.NotifyChargingLimit, v201_notify_charging_limit.handle),
    "ClearedChargingLimit": Route(v201.ClearedChargingLimit, v201_cleared_charging_limit.handle),
    "NotifyEVChargingNeeds": Route(v201.NotifyEVChargingNeeds, v201_notify_ev_charging_needs.handle),
    "NotifyEVChargingSchedule": Route(v201.NotifyEVChargingSchedule, v201_notify_ev_charging_schedule.handle),
    "ReportChargingProfiles": Route(v201.ReportChargingProfiles, v201_report_charging_profiles.handle),
}

V21: RoutingTable[SmartChargingContext] = {
    "NotifyChargingLimit": Route(v21.NotifyChargingLimit, v21_notify_charging_limit.handle),
    "ClearedChargingLimit": Route(v21.ClearedChargingLimit, v21_cleared_charging_limit.handle),
    "NotifyEVChargingNeeds": Route(v21.NotifyEVChargingNeeds, v21_notify_ev_charging_needs.handle),
    "NotifyEVChargingSchedule": Route(v21.NotifyEVChargingSchedule, v21_notify_ev_charging_schedule.handle),
    "ReportChargingProfiles": Route(v21.ReportChargingProfiles, v21_report_charging_profiles.handle),
}

TABLES: dict[OcppVersion, RoutingTable[SmartChargingContext]] = {
    OcppVersion.V16: {},
    OcppVersion.V201: V201,
    OcppVersion.V21: V21,
}

CALLS: dict[OcppVersion, dict[str, ModuleType]] = {}
