"""Page tokens of the Cassandra event log: only a token issued for the same listing is accepted."""

from __future__ import annotations

import base64

import pytest

from csms_security.adapters.event_log import decode_page_token, encode_page_token


def test_a_station_token_round_trips_for_that_station_only() -> None:
    token = encode_page_token({"i": "station", "k": "CS-1", "t": 1_000, "e": "e-1"})
    assert decode_page_token(token, "station", "CS-1") == {"k": "CS-1", "t": 1_000, "e": "e-1"}
    with pytest.raises(ValueError):
        decode_page_token(token, "station", "CS-2")
    with pytest.raises(ValueError):
        decode_page_token(token, "day", "")


def test_a_day_token_round_trips() -> None:
    cursor = {"i": "day", "k": "", "d": 20778, "t": 5, "s": "CS-1", "e": "e-1"}
    assert decode_page_token(encode_page_token(cursor), "day", "") == {k: v for k, v in cursor.items() if k != "i"}


@pytest.mark.parametrize(
    "token",
    [
        "%%%",
        base64.urlsafe_b64encode(b"[1,2]").decode(),
        base64.urlsafe_b64encode(b"\xff\xfe").decode(),
        encode_page_token({"i": "station", "k": "CS-1", "t": "1", "e": "e"}),
        encode_page_token({"i": "station", "k": "CS-1", "t": True, "e": "e"}),
        encode_page_token({"i": "station", "k": "CS-1", "t": -1, "e": "e"}),
        encode_page_token({"i": "station", "k": "CS-1", "t": 1, "e": "e", "x": 1}),
        "é",
    ],
)
def test_forged_tokens_are_refused(token: str) -> None:
    with pytest.raises(ValueError):
        decode_page_token(token, "station", "CS-1")
