"""AuthorizationService over gRPC: the station registry RPCs, composed with the token, local list and reservation
RPCs (`grpc_tokens`, `grpc_local_lists`, `grpc_reservations`) into the one servicer.

Registry RPCs map requests to the station service (`app.station_service`) and its answers and errors to
responses and status codes. No I/O of its own: the services and clock are injected (see bootstrap).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

import grpc

from csms.authorization.v1 import authorization_pb2 as pb
from csms.authorization.v1 import authorization_pb2_grpc
from csms_authorization.adapters.store import InvalidPageToken, StoreUnavailable
from csms_authorization.api.grpc_common import (
    Context,
    abort,
    decode_page_token,
    encode_page_token,
    page_size,
    unavailable,
)
from csms_authorization.api.grpc_local_lists import LocalListRpcs
from csms_authorization.api.grpc_reservations import ReservationRpcs
from csms_authorization.api.grpc_tokens import TokenRpcs
from csms_authorization.app.authorizer import Authorizer
from csms_authorization.app.local_list_service import LocalListService
from csms_authorization.app.reservations import ReservationService
from csms_authorization.app.station_service import RegisteredStation, StationService
from csms_authorization.app.token_service import TokenService
from csms_authorization.domain.credentials import InvalidCredentials, check_station_id
from csms_authorization.domain.stations import Registration, StationChanges, Verdict
from csms_authorization.ports import TokenStore
from csms_kernel.infra.envelopes import timestamp

log = logging.getLogger(__name__)

REGISTRY = "station registry"

_VERDICTS: dict[Verdict, pb.Verdict.ValueType] = {
    Verdict.ACCEPTED: pb.VERDICT_ACCEPTED,
    Verdict.UNKNOWN_STATION: pb.VERDICT_UNKNOWN_STATION,
    Verdict.WRONG_PASSWORD: pb.VERDICT_WRONG_PASSWORD,
    Verdict.DISABLED: pb.VERDICT_DISABLED,
    Verdict.PROFILE_TOO_LOW: pb.VERDICT_PROFILE_TOO_LOW,
}


class AuthorizationServicer(
    TokenRpcs, LocalListRpcs, ReservationRpcs, authorization_pb2_grpc.AuthorizationServiceServicer
):
    def __init__(
        self,
        stations: StationService,
        clock: Callable[[], datetime],
        *,
        tokens: TokenStore,
        token_service: TokenService,
        authorizer: Authorizer,
        local_lists: LocalListService,
        reservations: ReservationService,
    ) -> None:
        TokenRpcs.__init__(self, tokens, token_service, authorizer, clock)
        LocalListRpcs.__init__(self, local_lists)
        ReservationRpcs.__init__(self, reservations)
        self._stations = stations

    async def RegisterStation(self, request: pb.RegisterStationRequest, context: Context) -> pb.RegisterStationResponse:
        registration = Registration(
            request.station_id, request.password, request.security_profile, request.group or None
        )
        try:
            created = await self._stations.register(registration)
        except InvalidCredentials as exc:
            await abort(context, grpc.StatusCode.INVALID_ARGUMENT, str(exc))
        except StoreUnavailable as exc:
            await unavailable(context, REGISTRY, exc)
        if not created:
            log.info("station %s is registered already; nothing changed", request.station_id)
        return pb.RegisterStationResponse(created=created)

    async def VerifyStationCredentials(
        self, request: pb.VerifyStationCredentialsRequest, context: Context
    ) -> pb.VerifyStationCredentialsResponse:
        try:
            verdict, record = await self._stations.verify(
                request.station_id, request.password, request.presented_profile
            )
        except InvalidCredentials as exc:
            await abort(context, grpc.StatusCode.INVALID_ARGUMENT, f"presented_profile: {exc}")
        except StoreUnavailable as exc:
            await unavailable(context, REGISTRY, exc)
        if verdict is Verdict.ACCEPTED and record is not None:
            return pb.VerifyStationCredentialsResponse(
                verdict=pb.VERDICT_ACCEPTED, security_profile=record.security_profile
            )
        return pb.VerifyStationCredentialsResponse(verdict=_VERDICTS[verdict])

    async def GetRegisteredStation(
        self, request: pb.GetRegisteredStationRequest, context: Context
    ) -> pb.GetRegisteredStationResponse:
        await _check_id(request.station_id, context)
        try:
            station = await self._stations.get(request.station_id)
        except StoreUnavailable as exc:
            await unavailable(context, REGISTRY, exc)
        if station is None:
            await abort(context, grpc.StatusCode.NOT_FOUND, f"no registered station {request.station_id}")
        return pb.GetRegisteredStationResponse(station=station_proto(station))

    async def UpdateStation(self, request: pb.UpdateStationRequest, context: Context) -> pb.UpdateStationResponse:
        await _check_id(request.station_id, context)
        changes = StationChanges(
            password=request.password if request.HasField("password") else None,
            security_profile=request.security_profile if request.HasField("security_profile") else None,
            group=request.group if request.HasField("group") else None,
            enabled=request.enabled if request.HasField("enabled") else None,
            pending_password=request.pending_password if request.HasField("pending_password") else None,
            pending_security_profile=(
                request.pending_security_profile if request.HasField("pending_security_profile") else None
            ),
        )
        try:
            station = await self._stations.update(request.station_id, changes)
        except InvalidCredentials as exc:
            await abort(context, grpc.StatusCode.INVALID_ARGUMENT, str(exc))
        except StoreUnavailable as exc:
            await unavailable(context, REGISTRY, exc)
        if station is None:
            await abort(context, grpc.StatusCode.NOT_FOUND, f"no registered station {request.station_id}")
        return pb.UpdateStationResponse(station=station_proto(station))

    async def DeleteStation(self, request: pb.DeleteStationRequest, context: Context) -> pb.DeleteStationResponse:
        await _check_id(request.station_id, context)
        try:
            deleted = await self._stations.delete(request.station_id)
        except StoreUnavailable as exc:
            await unavailable(context, REGISTRY, exc)
        return pb.DeleteStationResponse(deleted=deleted)

    async def ListRegisteredStations(
        self, request: pb.ListRegisteredStationsRequest, context: Context
    ) -> pb.ListRegisteredStationsResponse:
        try:
            stations, next_token = await self._stations.list_page(
                page_size(request.page_size), decode_page_token(request.page_token), request.group or None
            )
        except InvalidCredentials as exc:
            await abort(context, grpc.StatusCode.INVALID_ARGUMENT, str(exc))
        except InvalidPageToken as exc:
            await abort(context, grpc.StatusCode.INVALID_ARGUMENT, f"invalid page_token: {exc}")
        except StoreUnavailable as exc:
            await unavailable(context, REGISTRY, exc)
        return pb.ListRegisteredStationsResponse(
            stations=[station_proto(s) for s in stations], next_page_token=encode_page_token(next_token)
        )


def station_proto(station: RegisteredStation) -> pb.RegisteredStation:
    record = station.record
    return pb.RegisteredStation(
        station_id=record.station_id,
        security_profile=record.security_profile,
        group=station.group or "",
        enabled=record.enabled,
        created_at=timestamp(record.created_at),
        updated_at=timestamp(record.updated_at),
        pending_security_profile=record.pending_security_profile or 0,
        password_rotation_pending=record.pending_password is not None,
    )


async def _check_id(station_id: str, context: Context) -> None:
    try:
        check_station_id(station_id)
    except InvalidCredentials as exc:
        await abort(context, grpc.StatusCode.INVALID_ARGUMENT, str(exc))
