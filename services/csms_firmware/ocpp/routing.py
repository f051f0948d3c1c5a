"""The firmware OCPP actions, one table per version (station → CSMS: action → request type and handler). The
CSMS → station calls (UpdateFirmware, SignedUpdateFirmware, GetLog, GetDiagnostics, PublishFirmware,
UnpublishFirmware) are device-model operator commands (`update-firmware`, `get-log`, ...), so `CALLS` is empty."""

from __future__ import annotations

from types import ModuleType

from ocpp.v16 import call as v16
from ocpp.v21 import call as v21
from ocpp.v201 import call as v201

from csms_firmware.ocpp.context import FirmwareContext
from csms_firmware.ocpp.v16 import diagnostics_status_notification as v16_diagnostics_status_notification
from csms_firmware.ocpp.v16 import firmware_status_notification as v16_firmware_status_notification
from csms_firmware.ocpp.v16 import log_status_notification as v16_log_status_notification
from csms_firmware.ocpp.v16 import signed_firmware_status_notification as v16_signed_firmware_status_notification
from csms_firmware.ocpp.v21 import firmware_status_notification as v21_firmware_status_notification
from csms_firmware.ocpp.v21 import log_status_notification as v21_log_status_notification
from csms_firmware.ocpp.v21 import publish_firmware_status_notification as v21_publish_firmware_status_notification
from csms_firmware.ocpp.v201 import firmware_status_notification as v201_firmware_status_notification
from csms_firmware.ocpp.v201 import log_status_notification as v201_log_status_notification
from csms_firmware.ocpp.v201 import publish_firmware_status_notification as v201_publish_firmware_status_notification
from csms_kernel.handling.router import Route, RoutingTable
from csms_kernel.ocpp.versions import OcppVersion

V16: RoutingTable[FirmwareContext] = {
    "FirmwareStatusNotification": Route(v16.FirmwareStatusNotification, v16_firmware_status_notification.handle),
    "DiagnosticsStatusNotification": Route(
        v16.DiagnosticsStatusNotification, v16_diagnostics_status_notification.handle
    ),
    "SignedFirmwareStatusNotification": Route(
        v16_signed_firmware_status_notification.SignedFirmwareStatusNotification,
        v16_signed_firmware_status_notification.handle,
    ),
    "LogStatusNotification": Route(
        v16_log_status_notification.LogStatusNotification, v16_log_status_notification.handle
    ),
}

V201: RoutingTable[FirmwareContext] = {
    "FirmwareStatusNotification": Route(v201.FirmwareStatusNotification, v201_firmware_status_notification.handle),
    "LogStatusNotification": Route(v201.LogStatusNotification, v201_log_status_notification.handle),
    "PublishFirmwareStatusNotification": Route(
        v201.PublishFirmwareStatusNotification, v201_publish_firmware_status_notification.handle
    ),
}

V21: RoutingTable[FirmwareContext] = {
    "FirmwareStatusNotification": Route(v21.FirmwareStatusNotification, v21_firmware_status_notification.handle),
    "LogStatusNotification": Route(v21.LogStatusNotification, v21_log_status_notification.handle),
    "PublishFirmwareStatusNotification": Route(
        v21.PublishFirmwareStatusNotification, v21_publish_firmware_status_notification.handle
    ),
}

TABLES: dict[OcppVersion, RoutingTable[FirmwareContext]] = {
    OcppVersion.V16: V16,
    OcppVersion.V201: V201,
    OcppVersion.V21: V21,
}

CALLS: dict[OcppVersion, dict[str, ModuleType]] = {}
