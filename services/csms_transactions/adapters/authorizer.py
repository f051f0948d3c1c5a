"""The authorization decision for a token presented in a transaction: the gRPC adapter of the
`Authorizer` port (csms_transactions.ports).

`GrpcAuthorizer` asks the authorization service (`AuthorizationService.AuthorizeIdToken`), the one place that
decides for every version (the same decision as the OCPP Authorize handlers). Side effects: gRPC calls.
"""

from __future__ import annotations

from datetime import datetime

import grpc

from csms.authorization.v1 import authorization_pb2, authorization_pb2_grpc
from csms_kernel.clients.channels import channel
from csms_kernel.infra.envelopes import timestamp, to_datetime, version_to_proto
from csms_kernel.infra.grpc_tls import GrpcTls
from csms_kernel.ocpp.errors import RetryableError
from csms_kernel.ocpp.versions import OcppVersion
from csms_transactions.domain.tokens import Decision, Token

_STATUS = {
    authorization_pb2.AUTHORIZATION_STATUS_ACCEPTED: "Accepted",
    authorization_pb2.AUTHORIZATION_STATUS_BLOCKED: "Blocked",
    authorization_pb2.AUTHORIZATION_STATUS_EXPIRED: "Expired",
    authorization_pb2.AUTHORIZATION_STATUS_INVALID: "Invalid",
    authorization_pb2.AUTHORIZATION_STATUS_UNKNOWN: "Unknown",
    authorization_pb2.AUTHORIZATION_STATUS_NOT_AT_THIS_LOCATION: "NotAtThisLocation",
    authorization_pb2.AUTHORIZATION_STATUS_CONCURRENT_TX: "ConcurrentTx",
}

TOKEN_TYPES: dict[str, authorization_pb2.IdTokenType.ValueType] = {
    "Central": authorization_pb2.ID_TOKEN_TYPE_CENTRAL,
    "eMAID": authorization_pb2.ID_TOKEN_TYPE_EMAID,
    "ISO14443": authorization_pb2.ID_TOKEN_TYPE_ISO14443,
    "ISO15693": authorization_pb2.ID_TOKEN_TYPE_ISO15693,
    "KeyCode": authorization_pb2.ID_TOKEN_TYPE_KEY_CODE,
    "Local": authorization_pb2.ID_TOKEN_TYPE_LOCAL,
    "MacAddress": authorization_pb2.ID_TOKEN_TYPE_MAC_ADDRESS,
    "NoAuthorization": authorization_pb2.ID_TOKEN_TYPE_NO_AUTHORIZATION,
}
_TYPE_NAMES = {value: name for name, value in TOKEN_TYPES.items()}

# The authorization service is down or slow: the frame is handled again later, never answered without it.
_RETRYABLE = (grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.DEADLINE_EXCEEDED, grpc.StatusCode.RESOURCE_EXHAUSTED)


class GrpcAuthorizer:
    def __init__(self, address: str, timeout_s: float, tls: GrpcTls | None) -> None:
        self._channel = channel(address, tls)
        self._stub = authorization_pb2_grpc.AuthorizationServiceStub(self._channel)
        self._timeout_s = timeout_s

    async def authorize(
        self, station_id: str, token: Token, version: OcppVersion, at: datetime, evse_id: int | None = None
    ) -> Decision:
        request = authorization_pb2.AuthorizeIdTokenRequest(
            station_id=station_id,
            id_token=token.id_token,
            token_type=TOKEN_TYPES.get(token.type, authorization_pb2.ID_TOKEN_TYPE_UNSPECIFIED),
            ocpp_version=version_to_proto(version),
            at=timestamp(at),
            evse_id=evse_id or 0,
        )
        try:
            response = await self._stub.AuthorizeIdToken(request, timeout=self._timeout_s)
        except grpc.aio.AioRpcError as exc:
            if exc.code() in _RETRYABLE:
                raise RetryableError(f"authorization service: {exc.code().name} {exc.details()}") from exc
            raise
        return decision_of(response)

    async def close(self) -> None:
        await self._channel.close(None)


def decision_of(response: authorization_pb2.AuthorizeIdTokenResponse) -> Decision:
    group = None
    if response.HasField("group_id_token") and response.group_id_token.id_token:
        group_type = _TYPE_NAMES.get(response.group_id_token.type, "Central")
        group = Token(response.group_id_token.id_token, group_type)
    expiry = to_datetime(response.expiry) if response.HasField("expiry") else None
    return Decision(_STATUS.get(response.status, "Invalid"), expiry, group)
