"""The device-model routing tables (station → CSMS): OCPP action → (request type, handler), one table per
version. Device-model sends no CSMS → station action of its own: its `SendCall` relays other services' calls."""

from __future__ import annotations

from ocpp.v16 import call as v16
from ocpp.v21 import call as v21
from ocpp.v201 import call as v201

from csms_device_model.ocpp.context import DeviceModelContext
from csms_device_model.ocpp.v16 import boot_notification as v16_boot_notification
from csms_device_model.ocpp.v16 import heartbeat as v16_heartbeat
from csms_device_model.ocpp.v16 import status_notification as v16_status_notification
from csms_device_model.ocpp.v21 import boot_notification as v21_boot_notification
from csms_device_model.ocpp.v21 import heartbeat as v21_heartbeat
from csms_device_model.ocpp.v21 import status_notification as v21_status_notification
from csms_device_model.ocpp.v201 import boot_notification as v201_boot_notification
from csms_device_model.ocpp.v201 import heartbeat as v201_heartbeat
from csms_device_model.ocpp.v201 import status_notification as v201_status_notification
from csms_kernel.handling.router import Route, RoutingTable
from csms_kernel.ocpp.versions import OcppVersion

V16: RoutingTable[DeviceModelContext] = {
    "BootNotification": Route(v16.BootNotification, v16_boot_notification.handle),
    "Heartbeat": Route(v16.Heartbeat, v16_heartbeat.handle, remember_answer=False),
    "StatusNotification": Route(v16.StatusNotification, v16_status_notification.handle),
}

V201: RoutingTable[DeviceModelContext] = {
    "BootNotification": Route(v201.BootNotification, v201_boot_notification.handle),
    "Heartbeat": Route(v201.Heartbeat, v201_heartbeat.handle, remember_answer=False),
    "StatusNotification": Route(v201.StatusNotification, v201_status_notification.handle),
}

V21: RoutingTable[DeviceModelContext] = {
    "BootNotification": Route(v21.BootNotification, v21_boot_notification.handle),
    "Heartbeat": Route(v21.Heartbeat, v21_heartbeat.handle, remember_answer=False),
    "StatusNotification": Route(v21.StatusNotification, v21_status_notification.handle),
}

TABLES: dict[OcppVersion, RoutingTable[DeviceModelContext]] = {
    OcppVersion.V16: V16,
    OcppVersion.V201: V201,
    OcppVersion.V21: V21,
}
