"""AuthorizationService over gRPC: input rules, created/updated, verdicts and page tokens.

Page tokens are URL-safe base64 of the registry's opaque token. No I/O of its own: the registry, hasher and
clock are injected (see bootstrap).
"""

from __future__ import annotations

import base64
import binascii
import logging
from collections.abc import Callable
from datetime import datetime
from typing import Any, NoReturn

import grpc

from authorization.credentials import (
    InvalidCredentials,
    PasswordHasher,
    check_password,
    check_security_profile,
    check_station_id,
)
from authorization.registry import InvalidPageToken, RegistryUnavailable, StationRecord, StationRegistryRepository
from csms.authorization.v1 import authorization_pb2, authorization_pb2_grpc

log = logging.getLogger(__name__)

DEFAULT_PAGE_SIZE = 100
MAX_PAGE_SIZE = 1000

Context = grpc.aio.ServicerContext[Any, Any]


class AuthorizationServicer(authorization_pb2_grpc.AuthorizationServiceServicer):
    def __init__(
        self, registry: StationRegistryRepository, hasher: PasswordHasher, clock: Callable[[], datetime]
    ) -> None:
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
        except InvalidCredentials as exc:
            await _abort(context, grpc.StatusCode.INVALID_ARGUMENT, str(exc))
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
        except RegistryUnavailable as exc:
            await _unavailable(context, exc)
        created = existing is None
        log.info(
            "station %s %s (security profile %d)",
            request.station_id,
            "registered" if created else "updated",
            request.security_profile,
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
        except RegistryUnavailable as exc:
            await _unavailable(context, exc)
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
        page_size = min(request.page_size or DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE)
        try:
            token = _decode_token(request.page_token) if request.page_token else None
            records, next_token = await self._registry.list_page(page_size, token)
        except InvalidPageToken as exc:
            await _abort(context, grpc.StatusCode.INVALID_ARGUMENT, f"invalid page_token: {exc}")
        except RegistryUnavailable as exc:
            await _unavailable(context, exc)
        return authorization_pb2.ListRegisteredStationsResponse(
            stations=[
                authorization_pb2.RegisteredStation(station_id=r.station_id, security_profile=r.security_profile)
                for r in records
            ],
            next_page_token=base64.urlsafe_b64encode(next_token).decode("ascii") if next_token else "",
        )

    # Id tokens and local lists: contract committed first (the transactions service builds on it), served soon.
    async def _unimplemented(self, request: object, context: Context) -> NoReturn:
        await _abort(context, grpc.StatusCode.UNIMPLEMENTED, "not served yet")

    AuthorizeIdToken = UpsertIdToken = GetIdToken = ListIdTokens = BlockIdToken = DeleteIdToken = _unimplemented
    PushLocalList = RefreshLocalListVersion = GetLocalListStatus = _unimplemented


def _decode_token(page_token: str) -> bytes:
    try:
        return base64.urlsafe_b64decode(page_token.encode("ascii"))
    except (UnicodeEncodeError, binascii.Error) as exc:
        raise InvalidPageToken("not base64") from exc


async def _abort(context: Context, code: grpc.StatusCode, message: str) -> NoReturn:
    await context.abort(code, message)
    raise AssertionError("context.abort returned")  # pragma: no cover - abort always raises


async def _unavailable(context: Context, exc: RegistryUnavailable) -> NoReturn:
    log.warning("station registry unavailable: %s", exc)
    await _abort(context, grpc.StatusCode.UNAVAILABLE, "station registry unavailable, retry later")
