from __future__ import annotations

from datetime import timedelta

import pytest
from ocpp.v16 import call, call_result

from csms_authorization.domain.tokens import TokenStatus, TokenType
from csms_authorization.ocpp.v16 import authorize
from csms_kernel.ocpp.versions import OcppVersion
from kit.builders.authorization import EXPIRES, EXPIRES_ISO, NOW, a_token, make_context

VERSION = OcppVersion.V16


async def answer(*tokens: object, id_tag: str = "04A2B3C4", **context: object) -> call_result.Authorize:
    ctx = make_context(VERSION, *tokens, **context)  # type: ignore[arg-type]
    response = await authorize.handle(ctx, call.Authorize(id_tag=id_tag))
    assert ctx.emitted.events == []
    return response


async def test_an_accepted_idtag_gets_its_expiry_and_parent() -> None:
    token = a_token(type=TokenType.ISO15693, expires_at=EXPIRES, group_id_token="FLEET-1")
    assert await answer(token) == call_result.Authorize(
        id_tag_info={"status": "Accepted", "expiry_date": EXPIRES_ISO, "parent_id_tag": "FLEET-1"}
    )


async def test_idtags_match_case_insensitively() -> None:
    assert await answer(a_token("04a2b3c4"), id_tag="04A2b3C4") == call_result.Authorize(
        id_tag_info={"status": "Accepted"}
    )


async def test_an_unknown_idtag_is_invalid() -> None:
    assert await answer(a_token("OTHER")) == call_result.Authorize(id_tag_info={"status": "Invalid"})


async def test_a_blocked_idtag_is_blocked() -> None:
    assert await answer(a_token(status=TokenStatus.BLOCKED)) == call_result.Authorize(id_tag_info={"status": "Blocked"})


async def test_an_idtag_past_its_expiry_is_expired() -> None:
    expired = NOW - timedelta(days=1)
    assert await answer(a_token(expires_at=expired)) == call_result.Authorize(
        id_tag_info={"status": "Expired", "expiry_date": "2026-11-20T12:00:00.123Z"}
    )


async def test_an_idtag_restricted_to_other_stations_is_invalid_here() -> None:
    assert await answer(a_token(station_ids=frozenset({"CS-2"}))) == call_result.Authorize(
        id_tag_info={"status": "Invalid"}
    )


async def test_an_idtag_with_an_active_transaction_is_concurrent_tx() -> None:
    assert await answer(a_token(), active={"04A2B3C4"}) == call_result.Authorize(id_tag_info={"status": "ConcurrentTx"})


async def test_concurrent_tx_can_be_switched_off() -> None:
    assert await answer(a_token(), active={"04A2B3C4"}, concurrent_tx=False) == call_result.Authorize(
        id_tag_info={"status": "Accepted"}
    )


@pytest.mark.parametrize("status", [TokenStatus.BLOCKED, TokenStatus.INVALID])
async def test_a_refused_idtag_stays_refused_with_an_active_transaction(status: TokenStatus) -> None:
    response = await answer(a_token(status=status), active={"04A2B3C4"})
    assert response.id_tag_info == {"status": status.value}


async def test_a_parent_too_long_for_16_is_left_out() -> None:
    response = await answer(a_token(group_id_token="G" * 21))
    assert response.id_tag_info == {"status": "Accepted"}
