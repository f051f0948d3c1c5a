"""The id token RPCs of AuthorizationService: the authorization decision, and managing and querying tokens.

Part of the one servicer (`grpc_api.AuthorizationServicer`). No I/O of its own.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

import grpc

from csms.authorization.v1 import authorization_pb2 as pb
from csms.envelope.v1 import envelope_pb2
from csms_authorization.adapters.store import InvalidPageToken, StoreUnavailable
from csms_authorization.api.grpc_common import (
    Context,
    abort,
    decode_page_token,
    encode_page_token,
    page_size,
    unavailable,
)
from csms_authorization.api.protos import AUTHORIZATION_STATUSES, decision_proto, draft_of, record_proto, token_type_of
from csms_authorization.app.authorizer import Authorizer
from csms_authorization.app.token_service import TokenService
from csms_authorization.domain.decision import AuthorizationStatus
from csms_authorization.domain.tokens import InvalidToken, check_id_token, token_key
from csms_authorization.ports import TokenStore
from csms_kernel.infra.envelopes import to_datetime, version_from_proto

TOKENS = "token store"


class TokenRpcs:
    def __init__(
        self,
        tokens: TokenStore,
        service: TokenService,
        authorizer: Authorizer,
        clock: Callable[[], datetime],
    ) -> None:
        self._tokens = tokens
        self._token_service = service
        self._authorizer = authorizer
        self._token_clock = clock

    async def AuthorizeIdToken(
        self, request: pb.AuthorizeIdTokenRequest, context: Context
    ) -> pb.AuthorizeIdTokenResponse:
        presented = token_type_of(request.token_type)
        at = to_datetime(request.at) if request.HasField("at") else self._token_clock()
        try:
            decision = await self._authorizer.decide(
                request.id_token,
                presented.value if presented else None,
                request.station_id,
                at,
                request.evse_id or None,
            )
        except StoreUnavailable as exc:
            await unavailable(context, TOKENS, exc)
        status = decision.status
        if request.ocpp_version != envelope_pb2.OCPP_VERSION_UNSPECIFIED:
            status = AuthorizationStatus(status.ocpp(version_from_proto(request.ocpp_version)))
        return decision_proto(decision, AUTHORIZATION_STATUSES[status])

    async def UpsertIdToken(self, request: pb.UpsertIdTokenRequest, context: Context) -> pb.UpsertIdTokenResponse:
        try:
            created, record = await self._token_service.upsert(draft_of(request))
        except InvalidToken as exc:
            await abort(context, grpc.StatusCode.INVALID_ARGUMENT, str(exc))
        except StoreUnavailable as exc:
            await unavailable(context, TOKENS, exc)
        return pb.UpsertIdTokenResponse(created=created, token=record_proto(record))

    async def GetIdToken(self, request: pb.GetIdTokenRequest, context: Context) -> pb.GetIdTokenResponse:
        key = await _key(request.id_token, context)
        try:
            record = await self._tokens.get(key)
        except StoreUnavailable as exc:
            await unavailable(context, TOKENS, exc)
        if record is None:
            await abort(context, grpc.StatusCode.NOT_FOUND, f"no id token {request.id_token}")
        return pb.GetIdTokenResponse(token=record_proto(record))

    async def ListIdTokens(self, request: pb.ListIdTokensRequest, context: Context) -> pb.ListIdTokensResponse:
        try:
            records, next_token = await self._tokens.list_page(
                page_size(request.page_size), decode_page_token(request.page_token)
            )
        except InvalidPageToken as exc:
            await abort(context, grpc.StatusCode.INVALID_ARGUMENT, f"invalid page_token: {exc}")
        except StoreUnavailable as exc:
            await unavailable(context, TOKENS, exc)
        return pb.ListIdTokensResponse(
            tokens=[record_proto(r) for r in records], next_page_token=encode_page_token(next_token)
        )

    async def BlockIdToken(self, request: pb.BlockIdTokenRequest, context: Context) -> pb.BlockIdTokenResponse:
        await _key(request.id_token, context)
        try:
            record = await self._token_service.block(request.id_token)
        except StoreUnavailable as exc:
            await unavailable(context, TOKENS, exc)
        if record is None:
            await abort(context, grpc.StatusCode.NOT_FOUND, f"no id token {request.id_token}")
        return pb.BlockIdTokenResponse(token=record_proto(record))

    async def DeleteIdToken(self, request: pb.DeleteIdTokenRequest, context: Context) -> pb.DeleteIdTokenResponse:
        await _key(request.id_token, context)
        try:
            deleted = await self._token_service.delete(request.id_token)
        except StoreUnavailable as exc:
            await unavailable(context, TOKENS, exc)
        return pb.DeleteIdTokenResponse(deleted=deleted)


async def _key(id_token: str, context: Context) -> str:
    try:
        check_id_token(id_token)
    except InvalidToken as exc:
        await abort(context, grpc.StatusCode.INVALID_ARGUMENT, str(exc))
    return token_key(id_token)
