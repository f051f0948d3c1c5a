"""`/api/v1/api-keys` (admin scope): list, create (the key is in the answer once, never again), get, revoke.
Translation to `csms_api.app.keys.ApiKeys` only."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Response, status
from pydantic import BaseModel, ConfigDict, Field

from csms_api.api.auth import ADMIN
from csms_api.api.context import ApiContext, context
from csms_api.api.paging import Cursor, Limit, Page
from csms_api.api.problems import documented, invalid, not_found
from csms_api.domain.cursors import InvalidCursor
from csms_api.domain.keys import NAME_MAX_LENGTH, ApiKey, InvalidKey, Scope

router = APIRouter(prefix="/api/v1/api-keys", tags=["api keys"], dependencies=[ADMIN])
LISTING = "api-keys"
Api = Annotated[ApiContext, Depends(context)]
KeyId = Annotated[str, Path(description="The key's id (the 16 hex digits after `csms_`).")]


class ApiKeyInfo(BaseModel):
    key_id: str
    name: str
    scope: Scope
    created_at: datetime
    revoked_at: datetime | None


class CreatedApiKey(ApiKeyInfo):
    key: str = Field(description="The key itself, `csms_<key_id>_<secret>`: shown now and never again.")


class ApiKeyCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=NAME_MAX_LENGTH, description="What the key is for.")
    scope: Scope = Field(description="read: every GET; operate: also commands and sessions; admin: everything.")


def info(key: ApiKey) -> ApiKeyInfo:
    return ApiKeyInfo(
        key_id=key.key_id, name=key.name, scope=key.scope, created_at=key.created_at, revoked_at=key.revoked_at
    )


@router.get("", summary="List API keys")
async def list_keys(api: Api, limit: Limit = 50, cursor: Cursor = None) -> Page[ApiKeyInfo]:
    """Every key, revoked ones included, in a stable order (never the keys themselves)."""
    after = api.cursors.open(cursor, LISTING, {}).get("k") if cursor is not None else None
    if after is not None and not isinstance(after, str):
        raise InvalidCursor("not a cursor of this listing")
    keys, last = await api.keys.list_page(limit, after)
    following = api.cursors.seal(LISTING, {}, {"k": last}) if last is not None else None
    return Page[ApiKeyInfo](items=[info(key) for key in keys], next_cursor=following)


@router.post("", status_code=status.HTTP_201_CREATED, summary="Create an API key")
async def create_key(body: ApiKeyCreate, response: Response, api: Api) -> CreatedApiKey:
    try:
        key, secret = await api.keys.create(body.name, body.scope)
    except InvalidKey as exc:
        raise invalid("body.name", str(exc)) from exc
    response.headers["Location"] = f"{router.prefix}/{key.key_id}"
    return CreatedApiKey(**info(key).model_dump(), key=secret)


@router.get("/{key_id}", responses=documented(404), summary="Get an API key")
async def get_key(key_id: KeyId, api: Api) -> ApiKeyInfo:
    try:
        key = await api.keys.get(key_id)
    except InvalidKey as exc:
        raise invalid("path.key_id", str(exc)) from exc
    return info(_found(key_id, key))


@router.post("/{key_id}/revoke", responses=documented(404), summary="Revoke an API key")
async def revoke_key(key_id: KeyId, api: Api) -> ApiKeyInfo:
    """Requests with the key are refused from now on (by every API instance within 2 s)."""
    try:
        revoked = await api.keys.revoke(key_id)
    except InvalidKey as exc:
        raise invalid("path.key_id", str(exc)) from exc
    return info(_found(key_id, revoked))


def _found(key_id: str, key: ApiKey | None) -> ApiKey:
    if key is None:
        raise not_found(f"no API key {key_id}")
    return key
