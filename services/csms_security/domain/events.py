"""Security events reported by stations (SecurityEventNotification): which OCPP types are critical, the event's
deterministic id and its `SecurityEventRecorded` record. Pure, no I/O."""

from __future__ import annotations

import uuid
from datetime import datetime

from csms.security.v1 import security_pb2
from csms_kernel.infra.envelopes import timestamp, version_to_proto
from csms_kernel.ocpp.versions import OcppVersion

# The security events OCPP marks critical (2.0.1/2.1 appendices "Security events": every type except
# FailedToAuthenticateAtCsms, CsmsFailedToAuthenticate, ReconfigurationOfSecurityParameters, InvalidMessages and
# AttemptedReplayAttacks), with the 1.6 security whitepaper's names of the same events (CentralSystem /
# ChargePoint where 2.x says Csms / ChargingStation).
CRITICAL_TYPES: frozenset[str] = frozenset(
    {
        "FirmwareUpdated",
        "SettingSystemTime",
        "StartupOfTheDevice",
        "ResetOrReboot",
        "SecurityLogWasCleared",
        "MemoryExhaustion",
        "TamperDetectionActivated",
        "InvalidFirmwareSignature",
        "InvalidFirmwareSigningCertificate",
        "InvalidCsmsCertificate",
        "InvalidCentralSystemCertificate",
        "InvalidChargingStationCertificate",
        "InvalidChargePointCertificate",
        "DiscardedRenewedClientCertificate",
        "InvalidTLSVersion",
        "InvalidTLSCipherSuite",
        "MaintenanceLoginAccepted",
        "MaintenanceLoginFailed",
    }
)

_NAMESPACE = uuid.UUID("5b0c7c8e-6f1d-4f3e-9a55-2d7a3f0e0c11")


def is_critical(event_type: str) -> bool:
    return event_type in CRITICAL_TYPES


def derived_id(*parts: str) -> str:
    """A stable id for the event of one station CALL (or of one signing request): the same CALL handled again
    (a redelivered record) gets the same id, so the log stores it once."""
    return str(uuid.uuid5(_NAMESPACE, "\x00".join(parts)))


def station_event(
    *,
    station_id: str,
    connection_id: str,
    message_id: str,
    ocpp_version: OcppVersion,
    event_type: str,
    tech_info: str,
    occurred_at: datetime,
    recorded_at: datetime,
) -> security_pb2.SecurityEventRecorded:
    """The record of a SecurityEventNotification as the station sent it; `recorded_at` is the CSMS clock."""
    event = security_pb2.SecurityEvent(
        event_id=derived_id("station", station_id, connection_id, message_id),
        station_id=station_id,
        source=security_pb2.SECURITY_EVENT_SOURCE_STATION,
        type=event_type,
        critical=is_critical(event_type),
        tech_info=tech_info,
        ocpp_version=version_to_proto(ocpp_version),
        message_id=message_id,
    )
    event.occurred_at.CopyFrom(timestamp(occurred_at))
    event.recorded_at.CopyFrom(timestamp(recorded_at))
    return security_pb2.SecurityEventRecorded(event=event)
