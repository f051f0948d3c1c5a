"""The authorization routing tables: OCPP action → (request type, handler), one table per version."""

from __future__ import annotations

from ocpp.v16 import call as v16
from ocpp.v21 import call as v21
from ocpp.v201 import call as v201

from csms_authorization.ocpp.context import AuthorizationContext
from csms_authorization.ocpp.v16 import authorize as v16_authorize
from csms_authorization.ocpp.v21 import authorize as v21_authorize
from csms_authorization.ocpp.v201 import authorize as v201_authorize
from csms_kernel.handling.router import Route, RoutingTable
from csms_kernel.ocpp.versions import OcppVersion

V16: RoutingTable[AuthorizationContext] = {
    "Authorize": Route(v16.Authorize, v16_authorize.handle, remember_answer=False),
}

V201: RoutingTable[AuthorizationContext] = {
    "Authorize": Route(v201.Authorize, v201_authorize.handle, remember_answer=False),
}

V21: RoutingTable[AuthorizationContext] = {
    "Authorize": Route(v21.Authorize, v21_authorize.handle, remember_answer=False),
}

TABLES: dict[OcppVersion, RoutingTable[AuthorizationContext]] = {
    OcppVersion.V16: V16,
    OcppVersion.V201: V201,
    OcppVersion.V21: V21,
}
