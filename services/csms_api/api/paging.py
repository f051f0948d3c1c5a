"""List endpoints: `?limit=` (default 50, at most 500) and `?cursor=`, answered as `{"items": [...],
"next_cursor": ...}`; cursors seal a service's page token with the listing and its filters
(`csms_api.domain.cursors`). No I/O."""

from __future__ import annotations

from typing import Annotated, Any, Generic, TypeVar

from fastapi import Query
from pydantic import BaseModel, Field

from csms_api.domain.cursors import Cursors, Filters, InvalidCursor

DEFAULT_LIMIT = 50
MAX_LIMIT = 500

T = TypeVar("T")

Limit = Annotated[int, Query(ge=1, le=MAX_LIMIT, description=f"Items per page (default {DEFAULT_LIMIT}).")]
Cursor = Annotated[
    str | None,
    Query(description="`next_cursor` of the previous page, with the same filters; absent for the first page."),
]


class Page(BaseModel, Generic[T]):
    items: list[T]
    next_cursor: str | None = Field(
        description="Where the next page starts (pass it as `cursor`); null after the last page. A page may hold "
        "fewer than `limit` items and still have a next page."
    )


def page_token(cursors: Cursors, cursor: str | None, listing: str, filters: Filters) -> str:
    """The service page token sealed in `cursor` ("" for the first page)."""
    if cursor is None:
        return ""
    token = cursors.open(cursor, listing, filters).get("t")
    if not isinstance(token, str):
        raise InvalidCursor("not a cursor of this listing")
    return token


def next_cursor(cursors: Cursors, token: str, listing: str, filters: Filters) -> str | None:
    return cursors.seal(listing, filters, {"t": token}) if token else None


def json_filters(**filters: Any) -> dict[str, Any]:
    """Filters as JSON values, for sealing (times in ISO 8601)."""
    return {name: value.isoformat() if hasattr(value, "isoformat") else value for name, value in filters.items()}
