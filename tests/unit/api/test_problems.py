"""Every error is an RFC 9457 `application/problem+json` (type, title, status, detail, instance): unknown routes,
wrong methods, request validation (with the fields named), the services' gRPC statuses (one mapping), and
unexpected failures."""

from __future__ import annotations

from typing import Any

import grpc
import pytest

from csms_api.domain.keys import Scope
from kit.builders.api import Api

PROBLEM_FIELDS = {"type", "title", "status", "detail", "instance"}


def problem(answer: Any, status: int, kind: str) -> dict[str, Any]:
    assert answer.status_code == status, answer.text
    assert answer.headers["content-type"] == "application/problem+json"
    body: dict[str, Any] = answer.json()
    assert set(body) in (PROBLEM_FIELDS, PROBLEM_FIELDS | {"errors"})
    assert (body["type"], body["status"], body["instance"]) == (f"urn:csms:problem:{kind}", status, answer.url.path)
    return body


async def test_an_unknown_route_is_404(api: Api) -> None:
    async with await api.as_(Scope.ADMIN) as client:
        body = problem(await client.get("/api/v1/chargers"), 404, "not-found")
    async with api.client() as client:
        outside = problem(await client.get("/nothing/here"), 404, "not-found")
    assert (body["title"], body["detail"]) == ("Not Found", "no resource at /api/v1/chargers")
    assert outside["detail"] == "no resource at /nothing/here"


async def test_a_wrong_method_is_405_keeping_the_allow_header(api: Api) -> None:
    async with await api.as_(Scope.ADMIN) as client:
        answer = await client.put("/api/v1/tokens")
    body = problem(answer, 405, "method-not-allowed")
    assert body["detail"] == "PUT is not allowed on /api/v1/tokens"
    assert "GET" in answer.headers["allow"]


async def test_request_validation_names_every_field_at_fault(api: Api) -> None:
    async with await api.as_(Scope.ADMIN) as client:
        answer = await client.post(
            "/api/v1/tokens?limit=x", json={"id_token": "", "type": "Card", "expires_at": "2027-01-01T00:00:00"}
        )
    body = problem(answer, 422, "validation")
    assert body["title"] == "Unprocessable Entity"
    assert [error["field"] for error in body["errors"]] == ["body.id_token", "body.type", "body.expires_at"]
    assert [error["type"] for error in body["errors"]] == ["string_too_short", "literal_error", "timezone_aware"]
    assert body["detail"].startswith("body.id_token: String should have at least 1 character; body.type: ")
    assert "body.expires_at: Input should have timezone info" in body["detail"]


@pytest.mark.parametrize(
    ("body", "field", "kind"),
    [
        (b"{not json", "body.1", "json_invalid"),
        (b"[1, 2]", "body", "model_attributes_type"),
        (b'{"id_token": "T", "type": "Local", "colour": "red"}', "body.colour", "extra_forbidden"),
    ],
)
async def test_a_malformed_body_is_422_naming_where(api: Api, body: bytes, field: str, kind: str) -> None:
    async with await api.as_(Scope.ADMIN) as client:
        answer = await client.post("/api/v1/tokens", content=body, headers={"Content-Type": "application/json"})
    errors = problem(answer, 422, "validation")["errors"]
    assert [(error["field"], error["type"]) for error in errors] == [(field, kind)]


@pytest.mark.parametrize(
    ("code", "status", "kind"),
    [
        (grpc.StatusCode.NOT_FOUND, 404, "not-found"),
        (grpc.StatusCode.INVALID_ARGUMENT, 422, "invalid-argument"),
        (grpc.StatusCode.FAILED_PRECONDITION, 409, "failed-precondition"),
        (grpc.StatusCode.ALREADY_EXISTS, 409, "already-exists"),
        (grpc.StatusCode.DEADLINE_EXCEEDED, 504, "timeout"),
        (grpc.StatusCode.UNAVAILABLE, 503, "unavailable"),
        (grpc.StatusCode.INTERNAL, 502, "bad-gateway"),
        (grpc.StatusCode.UNIMPLEMENTED, 502, "bad-gateway"),
        (grpc.StatusCode.PERMISSION_DENIED, 502, "bad-gateway"),
    ],
)
async def test_a_service_status_maps_to_one_http_status_with_its_message(
    api: Api, code: grpc.StatusCode, status: int, kind: str
) -> None:
    api.authorization.fail("get_id_token", code, "the service's own words")
    async with await api.as_(Scope.READ) as client:
        body = problem(await client.get("/api/v1/tokens/TAG-1"), status, kind)
    gateway = status in (502, 503, 504)
    assert body["detail"] == ("authorization service: " if gateway else "") + "the service's own words"


async def test_an_unexpected_failure_is_a_500_problem_without_internals(api: Api) -> None:
    api.authorization.errors["list_id_tokens"] = RuntimeError("secret internals")  # type: ignore[assignment]
    async with api.client(await api.key(Scope.READ), raise_app_exceptions=False) as client:
        body = problem(await client.get("/api/v1/tokens"), 500, "internal-error")
    assert body["detail"] == "the API failed to handle the request"
