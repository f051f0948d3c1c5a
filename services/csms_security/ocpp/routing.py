"""The security OCPP actions, one table per version (station → CSMS: action → request type and handler). The
CSMS → station calls of this service (CertificateSigned, the renewal TriggerMessage) go through device-model's
operator commands (`certificate-signed`, `trigger-message`), so `CALLS` is empty."""

from __future__ import annotations

from types import ModuleType

from ocpp.v16 import call as v16
from ocpp.v21 import call as v21
from ocpp.v201 import call as v201

from csms_kernel.handling.router import Route, RoutingTable
from csms_kernel.ocpp.versions import OcppVersion
from csms_security.ocpp.context import SecurityContext
from csms_security.ocpp.v16 import security_event_notification as v16_security_event_notification
from csms_security.ocpp.v16 import sign_certificate as v16_sign_certificate
from csms_security.ocpp.v21 import security_event_notification as v21_security_event_notification
from csms_security.ocpp.v21 import sign_certificate as v21_sign_certificate
from csms_security.ocpp.v201 import security_event_notification as v201_security_event_notification
from csms_security.ocpp.v201 import sign_certificate as v201_sign_certificate

V16: RoutingTable[SecurityContext] = {
    "SecurityEventNotification": Route(
        v16_security_event_notification.SecurityEventNotification, v16_security_event_notification.handle
    ),
    "SignCertificate": Route(v16.SignCertificate, v16_sign_certificate.handle),
}

V201: RoutingTable[SecurityContext] = {
    "SecurityEventNotification": Route(v201.SecurityEventNotification, v201_security_event_notification.handle),
    "SignCertificate": Route(v201.SignCertificate, v201_sign_certificate.handle),
}

V21: RoutingTable[SecurityContext] = {
    "SecurityEventNotification": Route(v21.SecurityEventNotification, v21_security_event_notification.handle),
    "SignCertificate": Route(v21.SignCertificate, v21_sign_certificate.handle),
}

TABLES: dict[OcppVersion, RoutingTable[SecurityContext]] = {
    OcppVersion.V16: V16,
    OcppVersion.V201: V201,
    OcppVersion.V21: V21,
}

CALLS: dict[OcppVersion, dict[str, ModuleType]] = {}
