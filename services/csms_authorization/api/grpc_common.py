"""What the AuthorizationService RPC modules share: aborting with a status, and opaque page tokens
(URL-safe base64 of a store's own page token). No I/O."""

from __future__ import annotations

import base64
import binascii
import logging
from typing import Any, NoReturn

import grpc

from csms_authorization.adapters.store import InvalidPageToken

log = logging.getLogger(__name__)

Context = grpc.aio.ServicerContext[Any, Any]

DEFAULT_PAGE_SIZE = 100
MAX_PAGE_SIZE = 1000


def page_size(requested: int) -> int:
    return min(requested or DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE)


def decode_page_token(page_token: str) -> bytes | None:
    if not page_token:
        return None
    try:
        return base64.urlsafe_b64decode(page_token.encode("ascii"))
    except (UnicodeEncodeError, binascii.Error) as exc:
        raise InvalidPageToken("not base64") from exc


def encode_page_token(token: bytes | None) -> str:
    return base64.urlsafe_b64encode(token).decode("ascii") if token else ""


async def abort(context: Context, code: grpc.StatusCode, message: str) -> NoReturn:
    await context.abort(code, message)
    raise AssertionError("context.abort returned")  # pragma: no cover - abort always raises


async def unavailable(context: Context, what: str, exc: Exception) -> NoReturn:
    log.warning("%s unavailable: %s", what, exc)
    await abort(context, grpc.StatusCode.UNAVAILABLE, f"{what} unavailable, retry later")
