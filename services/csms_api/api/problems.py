"""RFC 9457 problem details for every error the API answers, and the one mapping of a service's gRPC status to
an HTTP status.

Every error body is `application/problem+json` with `type` (a `urn:csms:problem:<slug>` naming the kind of
problem), `title` (the HTTP status phrase), `status`, `detail` (what went wrong, naming the fields at fault) and
`instance` (the request path); request validation problems add `errors`, one entry per field. The handlers are
installed on the app by `install()`. No I/O.
"""

from __future__ import annotations

import http
import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any

import grpc
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

from csms_api.domain.cursors import InvalidCursor
from csms_api.ports import PeerError, StoreUnavailable

log = logging.getLogger(__name__)

PROBLEM_JSON = "application/problem+json"
TYPE_PREFIX = "urn:csms:problem:"

GRPC_TO_HTTP: Mapping[grpc.StatusCode, tuple[int, str]] = {
    grpc.StatusCode.NOT_FOUND: (404, "not-found"),
    grpc.StatusCode.INVALID_ARGUMENT: (422, "invalid-argument"),
    grpc.StatusCode.FAILED_PRECONDITION: (409, "failed-precondition"),
    grpc.StatusCode.ALREADY_EXISTS: (409, "already-exists"),
    grpc.StatusCode.DEADLINE_EXCEEDED: (504, "timeout"),
    grpc.StatusCode.UNAVAILABLE: (503, "unavailable"),
}
"""A service's status → (HTTP status, problem slug); any other status is 502 `bad-gateway`."""
OTHER_GRPC = (502, "bad-gateway")

_HTTP_SLUGS = {404: "not-found", 405: "method-not-allowed", 401: "unauthenticated", 403: "insufficient-scope"}


class FieldError(BaseModel):
    field: str = Field(description="Where: `body.<path>`, `query.<name>`, `path.<name>` or `header.<name>`.")
    message: str
    type: str = Field(description="The kind of violation (pydantic's error type, e.g. `missing`).")


class Problem(BaseModel):
    """An RFC 9457 problem: every error response of the API."""

    type: str = Field(description="`urn:csms:problem:<slug>`, e.g. `urn:csms:problem:not-found`.")
    title: str
    status: int
    detail: str
    instance: str = Field(description="The request path.")
    errors: list[FieldError] | None = Field(default=None, description="Request validation only: each field at fault.")


class ProblemError(Exception):
    """Raised by a route to answer with a problem."""

    def __init__(
        self,
        status: int,
        slug: str,
        detail: str,
        *,
        errors: Sequence[FieldError] = (),
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.slug = slug
        self.detail = detail
        self.errors = list(errors)
        self.headers = dict(headers or {})


def not_found(detail: str) -> ProblemError:
    return ProblemError(404, "not-found", detail)


def conflict(detail: str) -> ProblemError:
    return ProblemError(409, "conflict", detail)


def invalid(field: str, message: str, kind: str = "value_error") -> ProblemError:
    """422 about one field of the request."""
    return ProblemError(
        422, "validation", f"{field}: {message}", errors=[FieldError(field=field, message=message, type=kind)]
    )


def of_peer(error: PeerError) -> ProblemError:
    status, slug = GRPC_TO_HTTP.get(error.code, OTHER_GRPC)
    detail = error.message or f"the {error.service} service answered {error.code.name}"
    if status in (502, 503, 504):
        detail = f"{error.service} service: {detail}"
    return ProblemError(status, slug, detail)


def response(request: Request, problem: ProblemError) -> JSONResponse:
    body = Problem(
        type=TYPE_PREFIX + problem.slug if problem.slug else "about:blank",
        title=http.HTTPStatus(problem.status).phrase,
        status=problem.status,
        detail=problem.detail,
        instance=request.url.path,
        errors=problem.errors or None,
    )
    return JSONResponse(
        body.model_dump(exclude_none=True), status_code=problem.status, headers=problem.headers, media_type=PROBLEM_JSON
    )


def field_path(location: Sequence[int | str]) -> str:
    return ".".join(str(part) for part in location)


async def _problem(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ProblemError)
    return response(request, exc)


async def _peer(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, PeerError)
    if exc.code not in GRPC_TO_HTTP or exc.code in (grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.DEADLINE_EXCEEDED):
        log.warning("%s %s: %s", request.method, request.url.path, exc)
    return response(request, of_peer(exc))


async def _validation(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = [
        FieldError(field=field_path(error.get("loc", ())), message=str(error.get("msg", "")), type=str(error["type"]))
        for error in exc.errors()
    ]
    detail = "; ".join(f"{error.field}: {error.message}" for error in errors)
    return response(request, ProblemError(422, "validation", detail or "invalid request", errors=errors))


async def _cursor(request: Request, exc: Exception) -> JSONResponse:
    return response(request, invalid("query.cursor", str(exc), "cursor_invalid"))


async def _store(request: Request, exc: Exception) -> JSONResponse:
    log.warning("%s %s: %s", request.method, request.url.path, exc)
    return response(request, ProblemError(503, "unavailable", str(exc)))


async def _http(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    if exc.status_code == 404:
        detail = f"no resource at {request.url.path}"
    elif exc.status_code == 405:
        detail = f"{request.method} is not allowed on {request.url.path}"
    else:
        detail = str(exc.detail)
    problem = ProblemError(exc.status_code, _HTTP_SLUGS.get(exc.status_code, ""), detail, headers=exc.headers)
    return response(request, problem)


async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
    log.exception("%s %s failed", request.method, request.url.path, exc_info=exc)
    return response(request, ProblemError(500, "internal-error", "the API failed to handle the request"))


ProblemOf = Callable[[Exception], ProblemError]
"""How an exception of another part of the API becomes a problem (see `ApiPart.problems`)."""


def handler(problem_of: ProblemOf) -> Callable[[Request, Exception], Awaitable[JSONResponse]]:
    """An exception handler answering the problem `problem_of` makes of the exception."""

    async def handle(request: Request, exc: Exception) -> JSONResponse:
        return response(request, problem_of(exc))

    return handle


def install(app: FastAPI) -> None:
    """Every error the app can answer becomes a problem response."""
    handlers: dict[type[Exception], Any] = {
        ProblemError: _problem,
        PeerError: _peer,
        RequestValidationError: _validation,
        InvalidCursor: _cursor,
        StoreUnavailable: _store,
        StarletteHTTPException: _http,
        Exception: _unexpected,
    }
    for exc_type, handler in handlers.items():
        app.add_exception_handler(exc_type, handler)


def documented(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses` entries: these statuses answer a `Problem`."""
    return {status: {"model": Problem, "description": http.HTTPStatus(status).phrase} for status in statuses}
