from __future__ import annotations

from ocpp.v201 import call, call_result

from csms_authorization.domain.tokens import TokenRecord, TokenStatus, TokenType
from csms_authorization.ocpp.v201 import authorize
from csms_kernel.ocpp.versions import OcppVersion
from kit.builders.authorization import EXPIRES, EXPIRES_ISO, a_token, make_context

VERSION = OcppVersion.V201


async def answer(id_token: str, token_type: str, *tokens: TokenRecord, active: set[str] | None = None) -> object:
    ctx = make_context(VERSION, *tokens, active=active)
    response = await authorize.handle(ctx, call.Authorize(id_token={"id_token": id_token, "type": token_type}))
    assert ctx.emitted.events == []
    return response


async def test_an_accepted_token_gets_its_expiry_and_group() -> None:
    token = a_token(expires_at=EXPIRES, group_id_token="FLEET-1")
    assert await answer("04A2B3C4", "ISO14443", token) == call_result.Authorize(
        id_token_info={
            "status": "Accepted",
            "cache_expiry_date_time": EXPIRES_ISO,
            "group_id_token": {"id_token": "FLEET-1", "type": "Central"},
        }
    )


async def test_an_unknown_token_is_unknown() -> None:
    assert await answer("NOPE", "ISO14443", a_token()) == call_result.Authorize(id_token_info={"status": "Unknown"})


async def test_a_known_value_of_another_type_is_unknown() -> None:
    assert await answer("04A2B3C4", "KeyCode", a_token()) == call_result.Authorize(id_token_info={"status": "Unknown"})


async def test_a_blocked_token_is_blocked() -> None:
    assert await answer("04A2B3C4", "ISO14443", a_token(status=TokenStatus.BLOCKED)) == call_result.Authorize(
        id_token_info={"status": "Blocked"}
    )


async def test_a_token_restricted_to_other_stations_is_not_at_this_location() -> None:
    token = a_token(type=TokenType.EMAID, station_ids=frozenset({"CS-2"}))
    assert await answer("04A2B3C4", "eMAID", token) == call_result.Authorize(
        id_token_info={"status": "NotAtThisLocation"}
    )


async def test_no_authorization_is_accepted() -> None:
    assert await answer("", "NoAuthorization") == call_result.Authorize(id_token_info={"status": "Accepted"})


async def test_an_active_transaction_does_not_matter_in_2x() -> None:
    assert await answer("04A2B3C4", "ISO14443", a_token(), active={"04A2B3C4"}) == call_result.Authorize(
        id_token_info={"status": "Accepted"}
    )
