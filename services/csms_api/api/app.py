"""The FastAPI app: every router, the problem handlers, and the OpenAPI document (`/openapi.json`, `/docs`).

`create_app(context, parts)` is the one place routes are assembled; other parts of the API (e.g. the live events
stream) come in as `ApiPart`s, whose router is included like the others and whose resources and loops
`bootstrap.build` starts and runs beside the HTTP server. No I/O.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from fastapi import APIRouter, FastAPI
from fastapi.openapi.utils import get_openapi

from csms_api.api import (
    api_keys,
    campaigns,
    charging_profiles,
    commands,
    device_model,
    display_and_transfers,
    firmware,
    health,
    local_lists,
    monitoring,
    periodic_streams,
    problems,
    provisioning,
    security,
    sessions,
    sites,
    stations,
    tokens,
    transactions,
)
from csms_api.api.auth import Authentication
from csms_api.api.context import ApiContext
from csms_kernel.infra.lifecycle import Resource

TITLE = "CSMS operator API"
VERSION = "1"
DESCRIPTION = """The operator REST API of the CSMS: stations, id tokens, local lists, transactions, sessions and
commands, display messages, the DataTransfer log, security events and station certificates, firmware updates and
log uploads, for every OCPP version.

Every `/api/v1` request needs `Authorization: Bearer <key>`; create the first key with
`csms api-keys create NAME --scope admin`. Scopes: `read` (every GET), `operate` (also commands and sessions),
`admin` (also station, token, local-list and key writes). Errors are RFC 9457 `application/problem+json`.
Lists take `limit` (default 50, at most 500) and `cursor` and answer `{"items": [...], "next_cursor": ...}`.
"""
COMMON_PROBLEMS = problems.documented(401, 403, 422, 502, 503, 504)
ROUTERS = (
    stations.router,
    sessions.router,
    commands.router,
    periodic_streams.router,
    display_and_transfers.router,
    device_model.router,
    provisioning.router,
    tokens.router,
    local_lists.router,
    transactions.router,
    security.router,
    firmware.router,
    charging_profiles.router,
    sites.router,
    campaigns.router,
    api_keys.router,
    monitoring.router,
)


@dataclass(frozen=True)
class ApiPart:
    """A part of the API wired apart: its routes (their paths and scopes are its own; use
    `csms_api.api.auth.require`), what it needs started and run while the API serves, and the problem each of
    its own exceptions is answered with."""

    router: APIRouter
    resources: Sequence[Resource] = ()
    loops: Sequence[Callable[[], Coroutine[Any, Any, None]]] = ()
    problems: Mapping[type[Exception], problems.ProblemOf] = field(default_factory=dict)


def create_app(context: ApiContext, parts: Sequence[ApiPart] = ()) -> FastAPI:
    app = FastAPI(title=TITLE, version=VERSION, description=DESCRIPTION, redoc_url=None)
    app.state.context = context
    app.add_middleware(Authentication, keys=context.keys)
    problems.install(app)
    app.include_router(health.router)
    for router in (*ROUTERS, *(part.router for part in parts)):
        app.include_router(router, responses=COMMON_PROBLEMS)
    for part in parts:
        for exc_type, problem_of in part.problems.items():
            app.add_exception_handler(exc_type, problems.handler(problem_of))

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = _problem_media_type(
                get_openapi(title=TITLE, version=VERSION, description=DESCRIPTION, routes=app.routes)
            )
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
    return app


def _problem_media_type(document: dict[str, Any]) -> dict[str, Any]:
    """Error responses are documented as `application/problem+json` (FastAPI would say `application/json`)."""
    for operations in document.get("paths", {}).values():
        for operation in operations.values():
            for code, answer in operation.get("responses", {}).items():
                content = answer.get("content", {})
                if code.isdigit() and int(code) >= 400 and "application/json" in content:
                    content[problems.PROBLEM_JSON] = content.pop("application/json")
    return document
