"""Bearer API keys on every `/api/` request. `Authentication` (ASGI middleware) admits a request only with a
valid key, before routing and body parsing, so an unauthenticated caller learns nothing but 401 (no key, or a
malformed, unknown or revoked one; `WWW-Authenticate: Bearer`). `require(scope)` is the dependency each route
declares: 403 when the key's scope is below the one needed, saying which. Both answer problems. No I/O of its
own (keys are verified through `ApiKeys`, which remembers them for at most 2 s)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from starlette.types import ASGIApp, Receive, Scope, Send

from csms_api.api.context import ApiContext, context
from csms_api.api.problems import ProblemError, response
from csms_api.app.keys import ApiKeys
from csms_api.domain.keys import ApiKey
from csms_api.domain.keys import Scope as KeyScope
from csms_api.ports import StoreUnavailable

PROTECTED = "/api/"
REALM = 'Bearer realm="csms"'

_bearer = HTTPBearer(
    auto_error=False,
    scheme_name="ApiKey",
    description="An API key (`csms api-keys create NAME --scope read|operate|admin`), as "
    "`Authorization: Bearer csms_...`. Scopes: read < operate < admin.",
)


async def authenticate(keys: ApiKeys, authorization: str | None) -> ApiKey:
    """The active key an `Authorization` header carries; a 401 problem otherwise."""
    scheme, _, key = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not key.strip():
        raise ProblemError(
            401,
            "unauthenticated",
            "an API key is required: Authorization: Bearer <key>",
            headers={"WWW-Authenticate": REALM},
        )
    found = await keys.verify(key.strip())
    if found is None:
        raise ProblemError(
            401,
            "unauthenticated",
            "the API key is not valid (unknown, revoked or malformed)",
            headers={"WWW-Authenticate": f'{REALM}, error="invalid_token"'},
        )
    return found


class Authentication:
    """Authenticates every request under `/api/` and leaves its key in `request.state.api_key`."""

    def __init__(self, app: ASGIApp, keys: ApiKeys) -> None:
        self._app = app
        self._keys = keys

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith(PROTECTED):
            await self._app(scope, receive, send)
            return
        request = Request(scope)
        try:
            request.state.api_key = await authenticate(self._keys, request.headers.get("authorization"))
        except ProblemError as problem:
            await response(request, problem)(scope, receive, send)
            return
        except StoreUnavailable as exc:
            await response(request, ProblemError(503, "unavailable", str(exc)))(scope, receive, send)
            return
        await self._app(scope, receive, send)


def require(needed: KeyScope) -> Callable[..., Awaitable[ApiKey]]:
    """The dependency that admits a request whose key has at least scope `needed` (`credentials` only puts the
    bearer scheme in the OpenAPI document; the key comes from `Authentication`, or is read here for a route
    outside `/api/`)."""

    async def admitted(
        request: Request,
        credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
        api: Annotated[ApiContext, Depends(context)],
    ) -> ApiKey:
        key: ApiKey | None = getattr(request.state, "api_key", None)
        if key is None:
            key = await authenticate(api.keys, request.headers.get("authorization"))
        if not key.scope.allows(needed):
            raise ProblemError(
                403,
                "insufficient-scope",
                f"this needs an API key with scope {needed.value} or higher; the key {key.key_id} has scope "
                f"{key.scope.value}",
                headers={"WWW-Authenticate": f'{REALM}, error="insufficient_scope", scope="{needed.value}"'},
            )
        return key

    return admitted


READ = Depends(require(KeyScope.READ))
OPERATE = Depends(require(KeyScope.OPERATE))
ADMIN = Depends(require(KeyScope.ADMIN))
