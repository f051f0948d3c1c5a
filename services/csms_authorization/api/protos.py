"""Conversions between the authorization domain (tokens, decisions) and its protobuf contract. No I/O."""

from __future__ import annotations

from csms.authorization.v1 import authorization_pb2 as pb
from csms_authorization.domain.decision import AuthorizationStatus, Decision
from csms_authorization.domain.tokens import (
    GROUP_TOKEN_TYPE,
    InvalidToken,
    TokenDraft,
    TokenRecord,
    TokenStatus,
    TokenType,
)
from csms_kernel.infra.envelopes import timestamp, to_datetime

TOKEN_TYPES: dict[TokenType, pb.IdTokenType.ValueType] = {
    TokenType.CENTRAL: pb.ID_TOKEN_TYPE_CENTRAL,
    TokenType.EMAID: pb.ID_TOKEN_TYPE_EMAID,
    TokenType.ISO14443: pb.ID_TOKEN_TYPE_ISO14443,
    TokenType.ISO15693: pb.ID_TOKEN_TYPE_ISO15693,
    TokenType.KEY_CODE: pb.ID_TOKEN_TYPE_KEY_CODE,
    TokenType.LOCAL: pb.ID_TOKEN_TYPE_LOCAL,
    TokenType.MAC_ADDRESS: pb.ID_TOKEN_TYPE_MAC_ADDRESS,
    TokenType.NO_AUTHORIZATION: pb.ID_TOKEN_TYPE_NO_AUTHORIZATION,
}
_TYPES_OF_PROTO = {value: token_type for token_type, value in TOKEN_TYPES.items()}

TOKEN_STATUSES: dict[TokenStatus, pb.IdTokenStatus.ValueType] = {
    TokenStatus.ACCEPTED: pb.ID_TOKEN_STATUS_ACCEPTED,
    TokenStatus.BLOCKED: pb.ID_TOKEN_STATUS_BLOCKED,
    TokenStatus.EXPIRED: pb.ID_TOKEN_STATUS_EXPIRED,
    TokenStatus.INVALID: pb.ID_TOKEN_STATUS_INVALID,
}
_STATUSES_OF_PROTO = {value: status for status, value in TOKEN_STATUSES.items()}

AUTHORIZATION_STATUSES: dict[AuthorizationStatus, pb.AuthorizationStatus.ValueType] = {
    AuthorizationStatus.ACCEPTED: pb.AUTHORIZATION_STATUS_ACCEPTED,
    AuthorizationStatus.BLOCKED: pb.AUTHORIZATION_STATUS_BLOCKED,
    AuthorizationStatus.EXPIRED: pb.AUTHORIZATION_STATUS_EXPIRED,
    AuthorizationStatus.INVALID: pb.AUTHORIZATION_STATUS_INVALID,
    AuthorizationStatus.UNKNOWN: pb.AUTHORIZATION_STATUS_UNKNOWN,
    AuthorizationStatus.NOT_AT_THIS_LOCATION: pb.AUTHORIZATION_STATUS_NOT_AT_THIS_LOCATION,
    AuthorizationStatus.CONCURRENT_TX: pb.AUTHORIZATION_STATUS_CONCURRENT_TX,
}


def token_type_of(value: pb.IdTokenType.ValueType) -> TokenType | None:
    """None for UNSPECIFIED (a 1.6 idTag) and unknown values."""
    return _TYPES_OF_PROTO.get(value)


def draft_of(request: pb.UpsertIdTokenRequest) -> TokenDraft:
    token_type = token_type_of(request.type)
    if token_type is None:
        raise InvalidToken("type is required (Central, eMAID, ISO14443, ISO15693, KeyCode, Local, MacAddress)")
    status = _STATUSES_OF_PROTO.get(request.status, TokenStatus.ACCEPTED)
    return TokenDraft(
        id_token=request.id_token,
        type=token_type,
        status=status,
        expires_at=to_datetime(request.expires_at) if request.HasField("expires_at") else None,
        group_id_token=request.group_id_token or None,
        station_ids=frozenset(request.station_ids),
        local_list=request.local_list,
    )


def record_proto(record: TokenRecord) -> pb.IdTokenRecord:
    message = pb.IdTokenRecord(
        id_token=record.id_token,
        type=TOKEN_TYPES[record.type],
        status=TOKEN_STATUSES[record.status],
        group_id_token=record.group_id_token or "",
        station_ids=sorted(record.station_ids),
        local_list=record.local_list,
        created_at=timestamp(record.created_at),
        updated_at=timestamp(record.updated_at),
    )
    if record.expires_at is not None:
        message.expires_at.CopyFrom(timestamp(record.expires_at))
    return message


def decision_proto(decision: Decision, status: pb.AuthorizationStatus.ValueType) -> pb.AuthorizeIdTokenResponse:
    response = pb.AuthorizeIdTokenResponse(status=status)
    if decision.expiry is not None:
        response.expiry.CopyFrom(timestamp(decision.expiry))
    if decision.group_id_token is not None:
        response.group_id_token.CopyFrom(
            pb.IdToken(id_token=decision.group_id_token, type=TOKEN_TYPES[GROUP_TOKEN_TYPE])
        )
    if decision.token_type is not None:
        response.token_type = TOKEN_TYPES[decision.token_type]
    return response
