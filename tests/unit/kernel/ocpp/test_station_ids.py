"""One station id rule: the registry (authorization) and the edge handshake give the same verdict on every id."""

from __future__ import annotations

from urllib.parse import quote

import pytest

from csms_authorization.domain.credentials import InvalidCredentials
from csms_authorization.domain.credentials import check_station_id as registry_check
from csms_edge.domain.handshake import Refuse, parse_station_id
from csms_kernel.ocpp.station_ids import InvalidStationId, check_station_id

ACCEPTED = ["A", "CP-001", "x" * 48, "cs_1", "CS1", "a*b-c_d=e+f|g@h.i", "1.2", "0"]
REFUSED = {
    "empty": "",
    "49 characters": "x" * 49,
    "colon (Basic user separator)": "CP:1",
    "slash": "a/b",
    "encoded slash left undecoded": "a%2Fb",
    "dot-dot": "..",
    "dot-dot inside": "a..b",
    "single dot": ".",
    "space": "CS 1",
    "NUL": "a\x00b",
    "ESC": "a\x1bb",
    "newline": "a\nb",
    "DEL": "a\x7fb",
    "non-ASCII composed": "\u00e9",
    "non-ASCII decomposed": "e\u0301",
    "RLO": "\u202eabc",
    "emoji": "\U0001f525",
    "question mark": "a?b",
    "hash": "a#b",
    "backslash": "a\\b",
}


def registry_accepts(station_id: str) -> bool:
    try:
        registry_check(station_id)
    except InvalidCredentials:
        return False
    return True


def handshake_accepts(station_id: str) -> bool:
    result = parse_station_id("/ocpp/" + quote(station_id, safe=""))
    if isinstance(result, Refuse):
        assert result.status == 400
        return False
    assert result == station_id
    return True


@pytest.mark.parametrize("station_id", ACCEPTED)
def test_accepted_everywhere(station_id: str) -> None:
    check_station_id(station_id)
    assert registry_accepts(station_id)
    assert handshake_accepts(station_id)


@pytest.mark.parametrize("station_id", REFUSED.values(), ids=REFUSED.keys())
def test_refused_everywhere(station_id: str) -> None:
    with pytest.raises(InvalidStationId):
        check_station_id(station_id)
    assert not registry_accepts(station_id)
    assert not handshake_accepts(station_id)


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/ocpp/a%2Fb", None),
        ("/ocpp/a%2fb", None),
        ("/ocpp/%2e%2e", None),
        ("/ocpp/..", None),
        ("/ocpp/a%20b", None),
        ("/ocpp/a%00b", None),
        ("/ocpp/a%1Bb", None),
        ("/ocpp/%C3%A9", None),
        ("/ocpp/e%CC%81", None),
        ("/ocpp/%FF", None),
        ("/ocpp/a%3Ab", None),
        ("/ocpp/a%252Fb", None),
        ("/ocpp/CS%2D1", "CS-1"),
        ("/ocpp/cs1", "cs1"),
    ],
)
def test_percent_decoding_cannot_smuggle_what_the_rule_refuses(path: str, expected: str | None) -> None:
    result = parse_station_id(path)
    if expected is None:
        assert isinstance(result, Refuse)
        assert result.status == 400
    else:
        assert result == expected
        assert registry_accepts(expected)


def test_case_is_kept_not_folded() -> None:
    assert parse_station_id("/ocpp/Cs1") == "Cs1"
    assert parse_station_id("/ocpp/cS1") == "cS1"


@pytest.mark.parametrize(
    ("station_id", "message"),
    [
        ("", "station id must be 1..48 characters, got 0"),
        ("x" * 49, "station id must be 1..48 characters, got 49"),
        ("a b:", "got ' ', ':'"),
        ("a\x1bb", r"got '\x1b'"),
        ("a..b", "must not be '.' or contain '..'"),
    ],
)
def test_messages_say_why(station_id: str, message: str) -> None:
    with pytest.raises(InvalidStationId, match=None) as raised:
        check_station_id(station_id)
    assert message in str(raised.value)
