"""`/api/v1/tokens`: id tokens (who may charge): list, create, get, update, delete, block, unblock. Translation
to AuthorizationService only; ids match case-insensitively (the service's rule)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal
from urllib.parse import quote

from fastapi import APIRouter, Depends, Path, Response, status
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from csms.authorization.v1 import authorization_pb2 as authz
from csms_api.api import convert
from csms_api.api.auth import ADMIN, READ
from csms_api.api.context import ApiContext, context
from csms_api.api.paging import Cursor, Limit, Page, next_cursor, page_token
from csms_api.api.problems import conflict, documented, not_found
from csms_api.ports import unless_not_found

router = APIRouter(prefix="/api/v1/tokens", tags=["tokens"])
LISTING = "tokens"

TokenType = Literal["Central", "eMAID", "ISO14443", "ISO15693", "KeyCode", "Local", "MacAddress", "NoAuthorization"]
TokenStatus = Literal["Accepted", "Blocked", "Expired", "Invalid"]
TYPES: dict[TokenType, authz.IdTokenType.ValueType] = {
    "Central": authz.ID_TOKEN_TYPE_CENTRAL,
    "eMAID": authz.ID_TOKEN_TYPE_EMAID,
    "ISO14443": authz.ID_TOKEN_TYPE_ISO14443,
    "ISO15693": authz.ID_TOKEN_TYPE_ISO15693,
    "KeyCode": authz.ID_TOKEN_TYPE_KEY_CODE,
    "Local": authz.ID_TOKEN_TYPE_LOCAL,
    "MacAddress": authz.ID_TOKEN_TYPE_MAC_ADDRESS,
    "NoAuthorization": authz.ID_TOKEN_TYPE_NO_AUTHORIZATION,
}
STATUSES: dict[TokenStatus, authz.IdTokenStatus.ValueType] = {
    "Accepted": authz.ID_TOKEN_STATUS_ACCEPTED,
    "Blocked": authz.ID_TOKEN_STATUS_BLOCKED,
    "Expired": authz.ID_TOKEN_STATUS_EXPIRED,
    "Invalid": authz.ID_TOKEN_STATUS_INVALID,
}
_TYPE_NAMES = {value: name for name, value in TYPES.items()}
_STATUS_NAMES = {value: name for name, value in STATUSES.items()}

TokenId = Annotated[str, Path(min_length=1, max_length=255, description="The id token (case-insensitive).")]
Api = Annotated[ApiContext, Depends(context)]


class Token(BaseModel):
    id_token: str = Field(description="As first given; matched case-insensitively.")
    type: TokenType | None
    status: TokenStatus | None
    expires_at: datetime | None = Field(description="Null: never expires.")
    group_id_token: str | None = Field(description="1.6 parentIdTag / 2.x groupIdToken.")
    station_ids: list[str] = Field(description="Stations where the token is valid; empty: every station.")
    local_list: bool = Field(description="Part of the local authorization list sent to stations.")
    created_at: datetime | None
    updated_at: datetime | None


class TokenCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id_token: str = Field(min_length=1, max_length=255)
    type: TokenType
    status: TokenStatus = "Accepted"
    expires_at: AwareDatetime | None = None
    group_id_token: str | None = None
    station_ids: list[str] = Field(default_factory=list)
    local_list: bool = False


class TokenUpdate(BaseModel):
    """Only the fields given change; `expires_at: null` / `group_id_token: null` remove them."""

    model_config = ConfigDict(extra="forbid")

    type: TokenType | None = None
    status: TokenStatus | None = None
    expires_at: AwareDatetime | None = None
    group_id_token: str | None = None
    station_ids: list[str] | None = None
    local_list: bool | None = None


def token(record: authz.IdTokenRecord) -> Token:
    return Token(
        id_token=record.id_token,
        type=_TYPE_NAMES.get(record.type),
        status=_STATUS_NAMES.get(record.status),
        expires_at=convert.when(record, "expires_at"),
        group_id_token=convert.text(record.group_id_token),
        station_ids=list(record.station_ids),
        local_list=record.local_list,
        created_at=convert.when(record, "created_at"),
        updated_at=convert.when(record, "updated_at"),
    )


def upsert_of(record: authz.IdTokenRecord) -> authz.UpsertIdTokenRequest:
    """The request that stores `record` as it is."""
    request = authz.UpsertIdTokenRequest(
        id_token=record.id_token,
        type=record.type,
        status=record.status,
        group_id_token=record.group_id_token,
        station_ids=record.station_ids,
        local_list=record.local_list,
    )
    if record.HasField("expires_at"):
        request.expires_at.CopyFrom(record.expires_at)
    return request


@router.get("", dependencies=[READ], summary="List id tokens")
async def list_tokens(api: Api, limit: Limit = 50, cursor: Cursor = None) -> Page[Token]:
    request = authz.ListIdTokensRequest(page_size=limit, page_token=page_token(api.cursors, cursor, LISTING, {}))
    page = await api.authorization.list_id_tokens(request)
    return Page[Token](
        items=[token(record) for record in page.tokens],
        next_cursor=next_cursor(api.cursors, page.next_page_token, LISTING, {}),
    )


@router.post(
    "", dependencies=[ADMIN], status_code=status.HTTP_201_CREATED, responses=documented(409), summary="Create a token"
)
async def create_token(body: TokenCreate, response: Response, api: Api) -> Token:
    """Creates an id token; 409 when a token with this id (in any case) exists."""
    if await unless_not_found(api.authorization.get_id_token(body.id_token)) is not None:
        raise conflict(f"id token {body.id_token} exists already")
    request = authz.UpsertIdTokenRequest(
        id_token=body.id_token,
        type=TYPES[body.type],
        status=STATUSES[body.status],
        group_id_token=body.group_id_token or "",
        station_ids=body.station_ids,
        local_list=body.local_list,
    )
    if body.expires_at is not None:
        request.expires_at.FromDatetime(body.expires_at)
    stored = await api.authorization.upsert_id_token(request)
    if not stored.created:
        raise conflict(f"id token {body.id_token} was created at the same time by another request")
    response.headers["Location"] = f"{router.prefix}/{quote(stored.token.id_token, safe='')}"
    return token(stored.token)


@router.get("/{id_token}", dependencies=[READ], responses=documented(404), summary="Get a token")
async def get_token(id_token: TokenId, api: Api) -> Token:
    return token(await api.authorization.get_id_token(id_token))


@router.patch("/{id_token}", dependencies=[ADMIN], responses=documented(404), summary="Update a token")
async def update_token(id_token: TokenId, body: TokenUpdate, api: Api) -> Token:
    """Reads the token, changes the fields given and stores it (the last of two concurrent updates wins)."""
    request = upsert_of(await api.authorization.get_id_token(id_token))
    given = body.model_fields_set
    if body.type is not None:
        request.type = TYPES[body.type]
    if body.status is not None:
        request.status = STATUSES[body.status]
    if "expires_at" in given:
        request.ClearField("expires_at")
        if body.expires_at is not None:
            request.expires_at.FromDatetime(body.expires_at)
    if "group_id_token" in given:
        request.group_id_token = body.group_id_token or ""
    if body.station_ids is not None:
        del request.station_ids[:]
        request.station_ids.extend(body.station_ids)
    if body.local_list is not None:
        request.local_list = body.local_list
    return token((await api.authorization.upsert_id_token(request)).token)


@router.delete(
    "/{id_token}",
    dependencies=[ADMIN],
    status_code=status.HTTP_204_NO_CONTENT,
    responses=documented(404),
    summary="Delete a token",
)
async def delete_token(id_token: TokenId, api: Api) -> None:
    """Deletes the token (it leaves the local list with the next push)."""
    if not await api.authorization.delete_id_token(id_token):
        raise not_found(f"no id token {id_token}")


@router.post("/{id_token}/block", dependencies=[ADMIN], responses=documented(404), summary="Block a token")
async def block_token(id_token: TokenId, api: Api) -> Token:
    return token(await api.authorization.block_id_token(id_token))


@router.post("/{id_token}/unblock", dependencies=[ADMIN], responses=documented(404, 409), summary="Unblock a token")
async def unblock_token(id_token: TokenId, api: Api) -> Token:
    """A Blocked token becomes Accepted; an Accepted one stays as it is; 409 for an Expired or Invalid one."""
    record = await api.authorization.get_id_token(id_token)
    if record.status == authz.ID_TOKEN_STATUS_ACCEPTED:
        return token(record)
    if record.status != authz.ID_TOKEN_STATUS_BLOCKED:
        raise conflict(f"id token {record.id_token} is {_STATUS_NAMES.get(record.status, 'not blocked')}, not Blocked")
    request = upsert_of(record)
    request.status = authz.ID_TOKEN_STATUS_ACCEPTED
    return token((await api.authorization.upsert_id_token(request)).token)
