"""The authorization OCPP actions, one table per version in each direction: station → CSMS, the action →
(request type, handler) routes; CSMS → station (`CALLS`), the action → the module that builds its request and
reads the answer (sent by `app/local_list_service.py`)."""

from __future__ import annotations

from types import ModuleType

from ocpp.v16 import call as v16
from ocpp.v21 import call as v21
from ocpp.v201 import call as v201

from csms_authorization.ocpp.context import AuthorizationContext
from csms_authorization.ocpp.v16 import authorize as v16_authorize
from csms_authorization.ocpp.v16 import get_configuration as v16_get_configuration
from csms_authorization.ocpp.v16 import get_local_list_version as v16_get_local_list_version
from csms_authorization.ocpp.v16 import send_local_list as v16_send_local_list
from csms_authorization.ocpp.v21 import authorize as v21_authorize
from csms_authorization.ocpp.v21 import get_15118_ev_certificate as v21_get_15118_ev_certificate
from csms_authorization.ocpp.v21 import get_certificate_status as v21_get_certificate_status
from csms_authorization.ocpp.v21 import get_local_list_version as v21_get_local_list_version
from csms_authorization.ocpp.v21 import get_variables as v21_get_variables
from csms_authorization.ocpp.v21 import reservation_status_update as v21_reservation_status_update
from csms_authorization.ocpp.v21 import send_local_list as v21_send_local_list
from csms_authorization.ocpp.v201 import authorize as v201_authorize
from csms_authorization.ocpp.v201 import get_15118_ev_certificate as v201_get_15118_ev_certificate
from csms_authorization.ocpp.v201 import get_certificate_status as v201_get_certificate_status
from csms_authorization.ocpp.v201 import get_local_list_version as v201_get_local_list_version
from csms_authorization.ocpp.v201 import get_variables as v201_get_variables
from csms_authorization.ocpp.v201 import reservation_status_update as v201_reservation_status_update
from csms_authorization.ocpp.v201 import send_local_list as v201_send_local_list
from csms_kernel.handling.router import Route, RoutingTable
from csms_kernel.ocpp.versions import OcppVersion

V16: RoutingTable[AuthorizationContext] = {
    "Authorize": Route(v16.Authorize, v16_authorize.handle, remember_answer=False),
}

# Get15118EVCertificate remembers its answer: a repeated CALL gets the same contract certificate rather than
# asking the provider again. GetCertificateStatus only reads (a repeat may ask the responder again).
V201: RoutingTable[AuthorizationContext] = {
    "Authorize": Route(v201.Authorize, v201_authorize.handle, remember_answer=False),
    "Get15118EVCertificate": Route(v201.Get15118EVCertificate, v201_get_15118_ev_certificate.handle),
    "GetCertificateStatus": Route(v201.GetCertificateStatus, v201_get_certificate_status.handle, remember_answer=False),
    "ReservationStatusUpdate": Route(v201.ReservationStatusUpdate, v201_reservation_status_update.handle),
}

V21: RoutingTable[AuthorizationContext] = {
    "Authorize": Route(v21.Authorize, v21_authorize.handle, remember_answer=False),
    "Get15118EVCertificate": Route(v21.Get15118EVCertificate, v21_get_15118_ev_certificate.handle),
    "GetCertificateStatus": Route(v21.GetCertificateStatus, v21_get_certificate_status.handle, remember_answer=False),
    "ReservationStatusUpdate": Route(v21.ReservationStatusUpdate, v21_reservation_status_update.handle),
}

TABLES: dict[OcppVersion, RoutingTable[AuthorizationContext]] = {
    OcppVersion.V16: V16,
    OcppVersion.V201: V201,
    OcppVersion.V21: V21,
}

CALLS: dict[OcppVersion, dict[str, ModuleType]] = {
    OcppVersion.V16: {
        "SendLocalList": v16_send_local_list,
        "GetConfiguration": v16_get_configuration,
        "GetLocalListVersion": v16_get_local_list_version,
    },
    OcppVersion.V201: {
        "SendLocalList": v201_send_local_list,
        "GetVariables": v201_get_variables,
        "GetLocalListVersion": v201_get_local_list_version,
    },
    OcppVersion.V21: {
        "SendLocalList": v21_send_local_list,
        "GetVariables": v21_get_variables,
        "GetLocalListVersion": v21_get_local_list_version,
    },
}
