"""AuthorizationService over gRPC: the station registry RPCs, composed with the token and local list RPCs
(`grpc_tokens`, `grpc_local_lists`) into the one servicer.

Registry input rules, created/updated, verdicts and groups. No I/O of its own: registry, hasher, services and
clock are injected (see bootstrap).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

import grpc

from csms.authorization.v1 import authorization_pb2, authorization_pb2_grpc
from csms_authorization.adapters.registry import check_group
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
from csms_authorization.api.grpc_tokens import TokenRpcs
from csms_authorization.app.authorizer import Authorizer
from csms_authorization.app.local_list_service import LocalListService
from csms_authorization.app.token_service import TokenService
from csms_authorization.domain.credentials import (
    InvalidCredentials,
    PasswordHasher,
    check_password,
    check_security_profile,
    check_station_id,
)
from csms_authorization.ports import StationRecord, StationRegistryRepository, TokenStore

log = logging.getLogger(__name__)

REGISTRY = "station registry"


class AuthorizationServicer(TokenRpcs, LocalListRpcs, authorization_pb2_grpc.AuthorizationServiceServicer):
    def __init__(
        self,
        registry: StationRegistryRepository,
        hasher: PasswordHasher,
        clock: Callable[[], datetime],
        *,
        tokens: TokenStore,
        token_service: TokenService,
        authorizer: Authorizer,
        local_lists: LocalListService,
    ) -> None:
        TokenRpcs.__init__(self, tokens, token_service, authorizer, clock)
        LocalListRpcs.__init__(self, local_lists)
        self._registry = registry
        self._hasher = hasher
        self._clock = clock

    async def RegisterStation(
        self, request: authorization_pb2.RegisterStationRequest, context: Context
    ) -> authorization_pb2.RegisterStationResponse:
        try:
            check_station_id(request.station_id)
            check_password(request.password)
            check_security_profile(request.security_profile)
            if request.group:
                check_group(request.group)
        except InvalidCredentials as exc:
            await abort(context, grpc.StatusCode.INVALID_ARGUMENT, str(exc))
        try:
            existing = await self._registry.get(request.station_id)
            now = self._clock()
            record = StationRecord(
                station_id=request.station_id,
                password=self._hasher.hash(request.password),
                security_profile=request.security_profile,
                created_at=existing.created_at if existing else now,
                updated_at=now,
            )
            await self._registry.save(record)
            await self._registry.set_group(request.station_id, request.group or None)
        except StoreUnavailable as exc:
            await unavailable(context, REGISTRY, exc)
        created = existing is None
        log.info(
            "station %s %s (security profile %d, group %s)",
            request.station_id,
            "registered" if created else "updated",
            request.security_profile,
            request.group or "-",
        )
        return authorization_pb2.RegisterStationResponse(created=created)

    async def VerifyStationCredentials(
        self, request: authorization_pb2.VerifyStationCredentialsRequest, context: Context
    ) -> authorization_pb2.VerifyStationCredentialsResponse:
        try:
            check_station_id(request.station_id)
        except InvalidCredentials:  # such a station cannot have been registered
            return authorization_pb2.VerifyStationCredentialsResponse(verdict=authorization_pb2.VERDICT_UNKNOWN_STATION)
        try:
            record = await self._registry.get(request.station_id)
        except StoreUnavailable as exc:
            await unavailable(context, REGISTRY, exc)
        if record is None:
            verdict = authorization_pb2.VERDICT_UNKNOWN_STATION
        elif self._hasher.verify(request.password, record.password):
            return authorization_pb2.VerifyStationCredentialsResponse(
                verdict=authorization_pb2.VERDICT_ACCEPTED, security_profile=record.security_profile
            )
        else:
            verdict = authorization_pb2.VERDICT_WRONG_PASSWORD
        return authorization_pb2.VerifyStationCredentialsResponse(verdict=verdict)

    async def ListRegisteredStations(
        self, request: authorization_pb2.ListRegisteredStationsRequest, context: Context
    ) -> authorization_pb2.ListRegisteredStationsResponse:
        try:
            records, next_token = await self._registry.list_page(
                page_size(request.page_size), decode_page_token(request.page_token)
            )
            groups = await self._registry.groups([r.station_id for r in records])
        except InvalidPageToken as exc:
            await abort(context, grpc.StatusCode.INVALID_ARGUMENT, f"invalid page_token: {exc}")
        except StoreUnavailable as exc:
            await unavailable(context, REGISTRY, exc)
        return authorization_pb2.ListRegisteredStationsResponse(
            stations=[
                authorization_pb2.RegisteredStation(
                    station_id=r.station_id, security_profile=r.security_profile, group=groups.get(r.station_id, "")
                )
                for r in records
            ],
            next_page_token=encode_page_token(next_token),
        )
