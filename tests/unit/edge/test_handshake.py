"""Handshake decisions: path, subprotocol negotiation, HTTP Basic parsing, registry verdicts."""

from __future__ import annotations

import base64

import pytest

from csms_authorization.domain.credentials import PasswordHasher
from csms_edge.domain.handshake import (
    WWW_AUTHENTICATE,
    Accept,
    Candidate,
    Refuse,
    check_request,
    decide,
    offered_subprotocols,
    parse_basic_auth,
    parse_station_id,
    select_subprotocol,
    too_many_failures,
)
from csms_edge.ports import Verdict
from csms_kernel.ocpp.versions import OcppVersion
from loadtest.station_socket import basic_auth


@pytest.mark.parametrize(
    ("path", "station_id"),
    [
        ("/ocpp/CS-1", "CS-1"),
        ("/ocpp/CS%2D1", "CS-1"),
        ("/ocpp/CS-1?foo=bar", "CS-1"),
        ("/ocpp/" + "x" * 48, "x" * 48),
    ],
)
def test_station_id_is_percent_decoded(path: str, station_id: str) -> None:
    assert parse_station_id(path) == station_id


@pytest.mark.parametrize("path", ["/", "/ocpp", "/other/CS-1", "/ocpp/CS-1/extra", "/ocpp/CS-1/", "/OCPP/CS-1"])
def test_unknown_paths_are_404(path: str) -> None:
    refusal = parse_station_id(path)
    assert isinstance(refusal, Refuse)
    assert refusal.status == 404
    assert "/ocpp/{stationId}" in refusal.body


@pytest.mark.parametrize(
    ("path", "why"),
    [
        ("/ocpp/", "1..48 characters"),
        ("/ocpp/" + "x" * 49, "1..48 characters"),
        ("/ocpp/a%3Ab", "got ':'"),
        ("/ocpp/a:b", "got ':'"),
        ("/ocpp/a%0Ab", r"got '\n'"),
        ("/ocpp/a%00b", r"got '\x00'"),
        ("/ocpp/%FF", "UTF-8"),
    ],
)
def test_bad_station_ids_are_400(path: str, why: str) -> None:
    refusal = parse_station_id(path)
    assert isinstance(refusal, Refuse)
    assert refusal.status == 400
    assert why in refusal.body


def test_offered_subprotocols_from_several_headers() -> None:
    assert offered_subprotocols(["ocpp1.6, ocpp2.0.1", " ocpp2.1 ", ""]) == ["ocpp1.6", "ocpp2.0.1", "ocpp2.1"]


@pytest.mark.parametrize(
    ("offered", "expected"),
    [
        (["ocpp1.6"], OcppVersion.V16),
        (["ocpp2.0.1"], OcppVersion.V201),
        (["ocpp2.1"], OcppVersion.V21),
        (["ocpp1.6", "ocpp2.0.1"], OcppVersion.V201),
        (["ocpp1.6", "ocpp2.1", "ocpp2.0.1"], OcppVersion.V21),
        (["ocpp1.5", "ocpp1.6"], OcppVersion.V16),
        (["ocpp1.5"], None),
        ([], None),
    ],
)
def test_subprotocol_preference_is_newest_first(offered: list[str], expected: OcppVersion | None) -> None:
    assert select_subprotocol(offered) is expected


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (basic_auth("CS-1", "secret"), ("CS-1", "secret")),
        (basic_auth("CS-1", "pa:ss"), ("CS-1", "pa:ss")),
        (basic_auth("CS-1", ""), ("CS-1", "")),
        ("basic " + base64.b64encode(b"CS-1:x").decode(), ("CS-1", "x")),
        (None, None),
        ("", None),
        ("Basic", None),
        ("Bearer abc", None),
        ("Basic not-base64!!", None),
        ("Basic " + base64.b64encode(b"no-colon").decode(), None),
        ("Basic " + base64.b64encode(b"\xff\xfe:x").decode(), None),
        ("Basic " + base64.b64encode(b"CS-1:\xff\x00\x80" + b"k" * 13).decode(), ("CS-1", "ff0080" + "6b" * 13)),
        ("Basic " + base64.b64encode(b"CS-1:a:b").decode(), ("CS-1", "a:b")),
    ],
)
def test_basic_header_parsing(header: str | None, expected: tuple[str, str] | None) -> None:
    assert parse_basic_auth(header) == expected


def test_well_formed_request_yields_candidate() -> None:
    assert check_request("/ocpp/CS-1", ["ocpp1.6, ocpp2.0.1"], basic_auth("CS-1", "secret")) == Candidate(
        "CS-1", OcppVersion.V201, "secret"
    )


def test_no_subprotocol_offered_is_400() -> None:
    refusal = check_request("/ocpp/CS-1", [], basic_auth("CS-1", "secret"))
    assert refusal == Refuse(400, "no OCPP subprotocol offered; supported: ocpp2.1, ocpp2.0.1, ocpp1.6\n")


def test_no_common_subprotocol_is_400() -> None:
    refusal = check_request("/ocpp/CS-1", ["ocpp1.5, wamp"], basic_auth("CS-1", "secret"))
    assert refusal == Refuse(
        400, "none of the offered subprotocols (ocpp1.5, wamp) is supported; supported: ocpp2.1, ocpp2.0.1, ocpp1.6\n"
    )


def test_path_is_checked_before_subprotocol_and_credentials() -> None:
    refusal = check_request("/nope", [], None)
    assert isinstance(refusal, Refuse) and refusal.status == 404


@pytest.mark.parametrize("header", [None, "Bearer x", "Basic ???", basic_auth("CS-2", "secret")])
def test_missing_malformed_or_foreign_credentials_are_401(header: str | None) -> None:
    refusal = check_request("/ocpp/CS-1", ["ocpp2.0.1"], header)
    assert isinstance(refusal, Refuse)
    assert refusal.status == 401
    assert refusal.headers == (WWW_AUTHENTICATE,)
    assert WWW_AUTHENTICATE == ("WWW-Authenticate", 'Basic realm="OCPP"')


CANDIDATE = Candidate("CS-1", OcppVersion.V16, "secret")


@pytest.mark.parametrize("accept_unknown", [False, True])
def test_accepted_verdict_accepts(accept_unknown: bool) -> None:
    assert decide(CANDIDATE, Verdict.ACCEPTED, accept_unknown_stations=accept_unknown) == Accept(
        "CS-1", OcppVersion.V16
    )


def test_unknown_station_is_401_by_default() -> None:
    assert decide(CANDIDATE, Verdict.UNKNOWN_STATION, accept_unknown_stations=False) == Refuse(
        401, "invalid station credentials\n", (WWW_AUTHENTICATE,)
    )


def test_unknown_station_accepted_when_configured() -> None:
    assert decide(CANDIDATE, Verdict.UNKNOWN_STATION, accept_unknown_stations=True) == Accept("CS-1", OcppVersion.V16)


@pytest.mark.parametrize("accept_unknown", [False, True])
def test_wrong_password_is_always_401(accept_unknown: bool) -> None:
    assert decide(CANDIDATE, Verdict.WRONG_PASSWORD, accept_unknown_stations=accept_unknown) == Refuse(
        401, "invalid station credentials\n", (WWW_AUTHENTICATE,)
    )


@pytest.mark.parametrize("accept_unknown", [False, True])
def test_a_disabled_station_is_always_403(accept_unknown: bool) -> None:
    assert decide(CANDIDATE, Verdict.DISABLED, accept_unknown_stations=accept_unknown) == Refuse(
        403, "station disabled\n"
    )


@pytest.mark.parametrize("key", [bytes(range(0x80, 0x94)), b"printable-key-16"], ids=["binary", "utf8-bytes"])
def test_an_ocpp16_key_presented_as_raw_bytes_verifies_against_its_hex_registration(key: bytes) -> None:
    hasher = PasswordHasher(b"pepper")
    stored = hasher.hash(key.hex())
    header = "Basic " + base64.b64encode(b"CS-1:" + key).decode()
    candidate = check_request("/ocpp/CS-1", ["ocpp1.6"], header)
    assert isinstance(candidate, Candidate)
    assert hasher.verify(candidate.password, stored)
    other = check_request("/ocpp/CS-1", ["ocpp1.6"], "Basic " + base64.b64encode(b"CS-1:" + key[::-1]).decode())
    assert isinstance(other, Candidate)
    assert not hasher.verify(other.password, stored)


def test_at_profile_3_the_basic_header_may_be_left_out() -> None:
    assert check_request("/ocpp/CS-1", ["ocpp2.0.1"], None, 3) == Candidate("CS-1", OcppVersion.V201, "")


@pytest.mark.parametrize("profile", [1, 2])
def test_below_profile_3_the_basic_header_is_required(profile: int) -> None:
    refusal = check_request("/ocpp/CS-1", ["ocpp2.0.1"], None, profile)
    assert isinstance(refusal, Refuse) and refusal.status == 401


def test_at_profile_3_a_basic_header_sent_is_still_checked() -> None:
    assert check_request("/ocpp/CS-1", ["ocpp2.0.1"], basic_auth("CS-1", "pw"), 3) == Candidate(
        "CS-1", OcppVersion.V201, "pw"
    )
    refusal = check_request("/ocpp/CS-1", ["ocpp2.0.1"], basic_auth("CS-2", "pw"), 3)
    assert isinstance(refusal, Refuse) and refusal.status == 401


@pytest.mark.parametrize("accept_unknown", [False, True])
def test_too_low_a_profile_is_the_same_401_as_a_wrong_password(accept_unknown: bool) -> None:
    assert decide(CANDIDATE, Verdict.PROFILE_TOO_LOW, accept_unknown_stations=accept_unknown) == decide(
        CANDIDATE, Verdict.WRONG_PASSWORD, accept_unknown_stations=False
    )


def test_a_lockout_is_429_with_retry_after_in_whole_seconds() -> None:
    refusal = too_many_failures(2.2)
    assert (refusal.status, refusal.headers) == (429, (("Retry-After", "3"),))
