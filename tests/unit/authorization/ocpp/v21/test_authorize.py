"""2.1 Authorize through the 2.1 routing table: schema validation, typed request, exact answer frames."""

from __future__ import annotations

import json

import pytest

from csms_authorization.domain.tokens import TokenStatus, TokenType
from csms_authorization.ocpp.routing import TABLES
from csms_kernel.handling.router import Router
from csms_kernel.ocpp.framing import Frame, MessageType
from csms_kernel.ocpp.versions import OcppVersion
from kit.builders.authorization import EXPIRES, EXPIRES_ISO, a_token, make_context

LONG = "E" * 200  # 2.1 allows 255 characters


async def dispatch(id_token: dict[str, object], *tokens: object) -> list[object]:
    ctx = make_context(OcppVersion.V21, *tokens)  # type: ignore[arg-type]
    router = Router(TABLES, lambda call, emitted: ctx)
    answer = await router.dispatch(ctx.call, Frame(MessageType.CALL, "msg-1", "Authorize", {"idToken": id_token}))
    assert answer.events == []
    result: list[object] = json.loads(answer.frame)
    return result


async def test_an_accepted_emaid_gets_expiry_and_group() -> None:
    token = a_token(LONG, type=TokenType.EMAID, expires_at=EXPIRES, group_id_token="FLEET-1")
    assert await dispatch({"idToken": LONG.lower(), "type": "eMAID"}, token) == [
        3,
        "msg-1",
        {
            "idTokenInfo": {
                "status": "Accepted",
                "cacheExpiryDateTime": EXPIRES_ISO,
                "groupIdToken": {"idToken": "FLEET-1", "type": "Central"},
            }
        },
    ]


@pytest.mark.parametrize(
    ("token_type", "stored_status", "expected"),
    [
        ("ISO14443", TokenStatus.BLOCKED, "Blocked"),
        ("ISO14443", TokenStatus.INVALID, "Invalid"),
        ("VIN", TokenStatus.ACCEPTED, "Unknown"),  # a 2.1 type string this CSMS does not register
    ],
)
async def test_refusals(token_type: str, stored_status: TokenStatus, expected: str) -> None:
    answer = await dispatch({"idToken": "04A2B3C4", "type": token_type}, a_token(status=stored_status))
    assert answer == [3, "msg-1", {"idTokenInfo": {"status": expected}}]


async def test_an_unknown_token_is_unknown() -> None:
    assert await dispatch({"idToken": "NOPE", "type": "ISO14443"}) == [
        3,
        "msg-1",
        {"idTokenInfo": {"status": "Unknown"}},
    ]


async def test_an_invalid_request_is_a_call_error() -> None:
    answer = await dispatch({"idToken": "X" * 256, "type": "ISO14443"})
    assert answer[:3] == [4, "msg-1", "PropertyConstraintViolation"]
