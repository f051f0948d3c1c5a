"""Bearer API keys on every `/api/v1` route: `require(scope)` is the dependency a route declares; it answers
401 (no key, or a malformed, unknown or revoked one; `WWW-Authenticate: Bearer`) or 403 (the key's scope is
below the one needed, saying which) as problems, and gives the route the verified key. No I/O of its own (keys
are verified through `ApiKeys`, which caches them for at most 2 s)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated

from fastapi import Depends
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from csms_api.api.context import ApiContext, context
from csms_api.api.problems import ProblemError
from csms_api.domain.keys import ApiKey, Scope

REALM = 'Bearer realm="csms"'

_bearer = HTTPBearer(
    auto_error=False,
    scheme_name="ApiKey",
    description="An API key (`csms api-keys create NAME --scope read|operate|admin`), as "
    "`Authorization: Bearer csms_...`. Scopes: read < operate < admin.",
)


def require(needed: Scope) -> Callable[..., Awaitable[ApiKey]]:
    """The dependency that admits a request whose key has at least scope `needed`."""

    async def admitted(
        credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
        api: Annotated[ApiContext, Depends(context)],
    ) -> ApiKey:
        if credentials is None:
            raise ProblemError(
                401,
                "unauthenticated",
                "an API key is required: Authorization: Bearer <key>",
                headers={"WWW-Authenticate": REALM},
            )
        key = await api.keys.verify(credentials.credentials)
        if key is None:
            raise ProblemError(
                401,
                "unauthenticated",
                "the API key is not valid (unknown, revoked or malformed)",
                headers={"WWW-Authenticate": f'{REALM}, error="invalid_token"'},
            )
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


READ = Depends(require(Scope.READ))
OPERATE = Depends(require(Scope.OPERATE))
ADMIN = Depends(require(Scope.ADMIN))
