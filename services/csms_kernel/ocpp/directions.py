"""Which way each OCPP action goes: the actions only a station initiates, per version (OCPP 1.6 with its
security whitepaper, 2.0.1 and 2.1, as their specifications list the messages). No I/O.

Every other action of a version is one the CSMS may send; DataTransfer goes both ways. `csms_may_send` is the
check behind `SendCall` and the operator `raw` command, so neither can send a station e.g. a BootNotification.
"""

from __future__ import annotations

from csms_kernel.ocpp.schemas import action_exists
from csms_kernel.ocpp.versions import OcppVersion

_STATION_ONLY_V201 = frozenset(
    {
        "Authorize",
        "BootNotification",
        "ClearedChargingLimit",
        "FirmwareStatusNotification",
        "Get15118EVCertificate",
        "GetCertificateStatus",
        "Heartbeat",
        "LogStatusNotification",
        "MeterValues",
        "NotifyChargingLimit",
        "NotifyCustomerInformation",
        "NotifyDisplayMessages",
        "NotifyEVChargingNeeds",
        "NotifyEVChargingSchedule",
        "NotifyEvent",
        "NotifyMonitoringReport",
        "NotifyReport",
        "PublishFirmwareStatusNotification",
        "ReportChargingProfiles",
        "ReservationStatusUpdate",
        "SecurityEventNotification",
        "SignCertificate",
        "StatusNotification",
        "TransactionEvent",
    }
)

STATION_ONLY: dict[OcppVersion, frozenset[str]] = {
    OcppVersion.V16: frozenset(
        {
            "Authorize",
            "BootNotification",
            "DiagnosticsStatusNotification",
            "FirmwareStatusNotification",
            "Heartbeat",
            "LogStatusNotification",
            "MeterValues",
            "SecurityEventNotification",
            "SignCertificate",
            "SignedFirmwareStatusNotification",
            "StartTransaction",
            "StatusNotification",
            "StopTransaction",
        }
    ),
    OcppVersion.V201: _STATION_ONLY_V201,
    OcppVersion.V21: _STATION_ONLY_V201
    | {
        "BatterySwap",
        "ClosePeriodicEventStream",
        "GetCertificateChainStatus",
        "NotifyDERAlarm",
        "NotifyDERStartStop",
        "NotifyPeriodicEventStream",
        "NotifyPriorityCharging",
        "NotifySettlement",
        "OpenPeriodicEventStream",
        "PullDynamicScheduleUpdate",
        "ReportDERControl",
        "VatNumberValidation",
    },
}
"""Per version, the actions only a station sends (the CSMS answers them)."""


def csms_may_send(version: OcppVersion, action: str) -> bool:
    """Whether `action` is an action of `version` that the CSMS may send to a station."""
    return action_exists(version, action) and action not in STATION_ONLY[version]
