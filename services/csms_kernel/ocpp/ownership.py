"""Which service alone answers each station-initiated OCPP action (DESIGN.md §2). No I/O.

Every service reads every frame in its own consumer group and answers only the actions it owns here. The
fallback owner answers everything nobody owns, with NotSupported (a known action) or NotImplemented.
`OWNERS` must name exactly the actions of each service's routing tables (`csms_<service>/ocpp/routing.py`);
tests/unit/kernel/ocpp/test_ownership.py fails the build when they differ.
"""

from __future__ import annotations

DEVICE_MODEL = "device_model"
AUTHORIZATION = "authorization"
TRANSACTIONS = "transactions"
SECURITY = "security"
FIRMWARE = "firmware"
SMART_CHARGING = "smart_charging"

FALLBACK_OWNER = DEVICE_MODEL

OWNERS: dict[str, str] = {
    "BootNotification": DEVICE_MODEL,
    "Heartbeat": DEVICE_MODEL,
    "StatusNotification": DEVICE_MODEL,
    # OCPP 2.1 periodic event streams (docs/adr/0035); NotifyPeriodicEventStream is a SEND, never answered
    "NotifyPeriodicEventStream": DEVICE_MODEL,
    "OpenPeriodicEventStream": DEVICE_MODEL,
    "ClosePeriodicEventStream": DEVICE_MODEL,
    # display messages and vendor DataTransfer (docs/adr/0034)
    "NotifyDisplayMessages": DEVICE_MODEL,
    "DataTransfer": DEVICE_MODEL,
    "NotifyReport": DEVICE_MODEL,
    "NotifyEvent": DEVICE_MODEL,
    "NotifyMonitoringReport": DEVICE_MODEL,
    "NotifyCustomerInformation": DEVICE_MODEL,
    "Authorize": AUTHORIZATION,
    # ISO 15118 Plug & Charge (2.0.1/2.1): decisions about EV contracts (docs/adr/0024, 0028)
    "Get15118EVCertificate": AUTHORIZATION,
    "GetCertificateStatus": AUTHORIZATION,
    # reservations (2.x block H, docs/adr/0043)
    "ReservationStatusUpdate": AUTHORIZATION,
    "StartTransaction": TRANSACTIONS,
    "StopTransaction": TRANSACTIONS,
    "MeterValues": TRANSACTIONS,
    "TransactionEvent": TRANSACTIONS,
    "SecurityEventNotification": SECURITY,
    "SignCertificate": SECURITY,
    # firmware updates, log and diagnostics uploads, local controllers' publishing (docs/adr/0037)
    "FirmwareStatusNotification": FIRMWARE,
    "DiagnosticsStatusNotification": FIRMWARE,
    "SignedFirmwareStatusNotification": FIRMWARE,
    "LogStatusNotification": FIRMWARE,
    "PublishFirmwareStatusNotification": FIRMWARE,
    # charging limits, EV charging needs and schedules, reported profiles (docs/adr/0041)
    "NotifyChargingLimit": SMART_CHARGING,
    "ClearedChargingLimit": SMART_CHARGING,
    "NotifyEVChargingNeeds": SMART_CHARGING,
    "NotifyEVChargingSchedule": SMART_CHARGING,
    "ReportChargingProfiles": SMART_CHARGING,
}


def owner_of(action: str) -> str:
    return OWNERS.get(action, FALLBACK_OWNER)
