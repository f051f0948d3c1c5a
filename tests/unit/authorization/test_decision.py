"""The authorization decision (pure): every outcome, its precedence, and its spelling per OCPP version."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from csms_authorization.domain.decision import AuthorizationStatus, Decision, concurrent_tx, decide
from csms_authorization.domain.tokens import TokenStatus, TokenType
from csms_kernel.ocpp.versions import OcppVersion
from kit.builders.authorization import EXPIRES, NOW, STATION, a_token

ACCEPTED = AuthorizationStatus.ACCEPTED


def test_an_unknown_token_is_unknown() -> None:
    assert decide(None, None, STATION, NOW) == Decision(AuthorizationStatus.UNKNOWN)
    assert decide(None, "ISO14443", STATION, NOW) == Decision(AuthorizationStatus.UNKNOWN)


def test_an_accepted_token_carries_its_expiry_group_and_type() -> None:
    token = a_token(expires_at=EXPIRES, group_id_token="FLEET-1")
    assert decide(token, "ISO14443", STATION, NOW) == Decision(ACCEPTED, EXPIRES, "FLEET-1", TokenType.ISO14443)


def test_an_ocpp16_idtag_matches_a_token_of_any_type() -> None:
    assert decide(a_token(type=TokenType.KEY_CODE), None, STATION, NOW).status is ACCEPTED


def test_a_2x_token_of_another_type_is_unknown() -> None:
    assert decide(a_token(type=TokenType.KEY_CODE), "ISO14443", STATION, NOW) == Decision(AuthorizationStatus.UNKNOWN)


@pytest.mark.parametrize("presented_by", [None, "ISO14443", "NoAuthorization"])
def test_no_authorization_is_accepted_without_a_token_only_when_presented_as_such(presented_by: str | None) -> None:
    decision = decide(None, presented_by, STATION, NOW)
    if presented_by == "NoAuthorization":
        assert decision == Decision(ACCEPTED, token_type=TokenType.NO_AUTHORIZATION)
    else:
        assert decision.status is AuthorizationStatus.UNKNOWN


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        (TokenStatus.BLOCKED, AuthorizationStatus.BLOCKED),
        (TokenStatus.EXPIRED, AuthorizationStatus.EXPIRED),
        (TokenStatus.INVALID, AuthorizationStatus.INVALID),
    ],
)
def test_the_token_status_decides_and_keeps_the_details(status: TokenStatus, expected: AuthorizationStatus) -> None:
    token = a_token(status=status, expires_at=EXPIRES, group_id_token="G")
    assert decide(token, None, STATION, NOW) == Decision(expected, EXPIRES, "G", TokenType.ISO14443)


@pytest.mark.parametrize(
    ("expires_at", "status"),
    [(NOW, AuthorizationStatus.EXPIRED), (NOW + timedelta(microseconds=1), AuthorizationStatus.ACCEPTED)],
)
def test_a_token_is_expired_from_its_expiry_on(expires_at: datetime, status: AuthorizationStatus) -> None:
    assert decide(a_token(expires_at=expires_at), None, STATION, NOW).status is status


def test_a_token_past_its_expiry_is_expired() -> None:
    token = a_token(expires_at=NOW - timedelta(seconds=1))
    assert decide(token, None, STATION, NOW) == Decision(
        AuthorizationStatus.EXPIRED, NOW - timedelta(seconds=1), None, TokenType.ISO14443
    )


def test_a_restricted_token_is_valid_only_at_its_stations() -> None:
    token = a_token(station_ids=frozenset({"CS-2", STATION}))
    assert decide(token, None, STATION, NOW).status is ACCEPTED
    assert decide(token, None, "CS-3", NOW).status is AuthorizationStatus.NOT_AT_THIS_LOCATION


def test_blocked_wins_over_expiry_and_location() -> None:
    token = a_token(status=TokenStatus.BLOCKED, expires_at=NOW, station_ids=frozenset({"CS-9"}))
    assert decide(token, None, STATION, NOW).status is AuthorizationStatus.BLOCKED


def test_expiry_wins_over_location() -> None:
    token = a_token(expires_at=NOW, station_ids=frozenset({"CS-9"}))
    assert decide(token, None, STATION, NOW).status is AuthorizationStatus.EXPIRED


@pytest.mark.parametrize(
    ("status", "v16", "v2x"),
    [
        (AuthorizationStatus.ACCEPTED, "Accepted", "Accepted"),
        (AuthorizationStatus.BLOCKED, "Blocked", "Blocked"),
        (AuthorizationStatus.EXPIRED, "Expired", "Expired"),
        (AuthorizationStatus.INVALID, "Invalid", "Invalid"),
        (AuthorizationStatus.UNKNOWN, "Invalid", "Unknown"),
        (AuthorizationStatus.NOT_AT_THIS_LOCATION, "Invalid", "NotAtThisLocation"),
        (AuthorizationStatus.CONCURRENT_TX, "ConcurrentTx", "ConcurrentTx"),
    ],
)
def test_statuses_per_version(status: AuthorizationStatus, v16: str, v2x: str) -> None:
    assert status.ocpp(OcppVersion.V16) == v16
    assert status.ocpp(OcppVersion.V201) == status.ocpp(OcppVersion.V21) == v2x


def test_concurrent_tx_only_turns_an_accepted_token_with_a_session() -> None:
    accepted = Decision(ACCEPTED, EXPIRES, "G", TokenType.ISO14443)
    blocked = Decision(AuthorizationStatus.BLOCKED)
    assert concurrent_tx(accepted, True) == Decision(
        AuthorizationStatus.CONCURRENT_TX, EXPIRES, "G", TokenType.ISO14443
    )
    assert concurrent_tx(accepted, False) == accepted
    assert concurrent_tx(blocked, True) == blocked
