"""The SecurityService gRPC servicer: the security event log and the certificates issued to a station (no logic
of its own). INVALID_ARGUMENT for a malformed station id or page token."""

from __future__ import annotations

from typing import Any

import grpc

from csms.security.v1 import security_pb2, security_pb2_grpc
from csms_kernel.ocpp.station_ids import InvalidStationId, check_station_id
from csms_security.ports import IssuedCertificates, SecurityEventLog

DEFAULT_PAGE_SIZE = 100
MAX_PAGE_SIZE = 1000
Context = grpc.aio.ServicerContext[Any, Any]


class SecurityServicer(security_pb2_grpc.SecurityServiceServicer):
    def __init__(self, events: SecurityEventLog, certificates: IssuedCertificates) -> None:
        self._events = events
        self._certificates = certificates

    async def ListSecurityEvents(
        self, request: security_pb2.ListSecurityEventsRequest, context: Context
    ) -> security_pb2.ListSecurityEventsResponse:
        if request.station_id:
            await _check_station(context, request.station_id)
        page_size = min(request.page_size or DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE)
        try:
            events, token = await self._events.events(request.station_id, page_size, request.page_token)
        except ValueError:
            await context.abort(grpc.StatusCode.INVALID_ARGUMENT, "invalid page_token")
        return security_pb2.ListSecurityEventsResponse(events=events, next_page_token=token)

    async def ListIssuedCertificates(
        self, request: security_pb2.ListIssuedCertificatesRequest, context: Context
    ) -> security_pb2.ListIssuedCertificatesResponse:
        await _check_station(context, request.station_id)
        certificates = await self._certificates.station_certificates(request.station_id)
        return security_pb2.ListIssuedCertificatesResponse(certificates=certificates)


async def _check_station(context: Context, station_id: str) -> None:
    try:
        check_station_id(station_id)
    except InvalidStationId as exc:
        await context.abort(grpc.StatusCode.INVALID_ARGUMENT, f"invalid station_id: {exc}")
