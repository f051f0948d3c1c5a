"""The WebSocket opening handshake as pure decisions: path, subprotocol and HTTP Basic credentials.

`check_request` reads what the station sent and either refuses it or says which credentials to verify;
`decide` turns the station registry's verdict into accept/refuse: 401 for missing or invalid credentials (one
answer for an unknown station and a wrong password), 403 for a disabled station (its password is right, so only
its holder learns it is disabled). No I/O here: the websockets adapter
(`edge.ws_server`) asks the registry in between. OCPP Security Profile 1: the Basic user must be the
station id taken from the path `/ocpp/{stationId}`; at security profile 3 (the station's own client certificate)
the Basic header may be left out (the password is then "" and the registry decides without it).
"""

from __future__ import annotations

import base64
import binascii
import http
import math
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import unquote

from csms_edge.ports import Verdict
from csms_kernel.ocpp.station_ids import InvalidStationId, check_station_id
from csms_kernel.ocpp.versions import SUPPORTED_SUBPROTOCOLS, OcppVersion

PATH_PREFIX = "/ocpp/"
WWW_AUTHENTICATE = ("WWW-Authenticate", 'Basic realm="OCPP"')


@dataclass(frozen=True, slots=True)
class Refuse:
    """Refuse the handshake with this HTTP status and plain-text body (and extra headers)."""

    status: int
    body: str
    headers: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True, slots=True)
class Candidate:
    """A well-formed request whose credentials still have to be verified by the station registry."""

    station_id: str
    version: OcppVersion
    password: str


@dataclass(frozen=True, slots=True)
class Accept:
    station_id: str
    version: OcppVersion


def _unauthorized(body: str) -> Refuse:
    return Refuse(http.HTTPStatus.UNAUTHORIZED, body, (WWW_AUTHENTICATE,))


def parse_station_id(path: str) -> str | Refuse:
    """The percent-decoded station id of `/ocpp/{stationId}` (query string ignored), or why not.

    The decoded id must pass the registry's rule (`csms_kernel.ocpp.station_ids`), so `%2F` or `%2e%2e` cannot
    smuggle in what the raw path refuses.
    """
    path = path.partition("?")[0]
    if not path.startswith(PATH_PREFIX):
        return Refuse(http.HTTPStatus.NOT_FOUND, f"unknown path {path!r}; connect to /ocpp/{{stationId}}\n")
    encoded = path[len(PATH_PREFIX) :]
    if "/" in encoded:
        return Refuse(http.HTTPStatus.NOT_FOUND, f"unknown path {path!r}; connect to /ocpp/{{stationId}}\n")
    try:
        station_id = unquote(encoded, errors="strict")
    except UnicodeDecodeError:
        return Refuse(http.HTTPStatus.BAD_REQUEST, "station id is not valid percent-encoded UTF-8\n")
    try:
        check_station_id(station_id)
    except InvalidStationId as exc:
        return Refuse(http.HTTPStatus.BAD_REQUEST, f"{exc}\n")
    return station_id


def offered_subprotocols(header_values: Iterable[str]) -> list[str]:
    """The subprotocols of all `Sec-WebSocket-Protocol` request headers, in the order offered."""
    return [token.strip() for value in header_values for token in value.split(",") if token.strip()]


def select_subprotocol(offered: Iterable[str]) -> OcppVersion | None:
    """The most preferred supported version among those offered (ocpp2.1 > ocpp2.0.1 > ocpp1.6)."""
    offered_set = set(offered)
    for name in SUPPORTED_SUBPROTOCOLS:
        if name in offered_set:
            return OcppVersion.from_subprotocol(name)
    return None


def parse_basic_auth(header: str | None) -> tuple[str, str] | None:
    """(user, password) of an `Authorization: Basic ...` header, or None if missing or malformed.

    A password that is not UTF-8 is returned as the lowercase hex of its bytes (a 1.6 AuthorizationKey).
    """
    if header is None:
        return None
    scheme, _, token = header.strip().partition(" ")
    if scheme.lower() != "basic" or not token.strip():
        return None
    try:
        user_bytes, colon, password_bytes = base64.b64decode(token.strip(), validate=True).partition(b":")
        user = user_bytes.decode("utf-8")
    except (binascii.Error, ValueError):
        return None
    if not colon:
        return None
    try:
        password = password_bytes.decode("utf-8")
    except UnicodeDecodeError:
        # OCPP 1.6 stations present their binary AuthorizationKey as raw bytes; the registry holds it in hex.
        password = password_bytes.hex()
    return user, password


def check_request(
    path: str, subprotocol_headers: Iterable[str], authorization: str | None, presented_profile: int = 1
) -> Candidate | Refuse:
    """Everything that can be decided without the station registry, in order: path, subprotocol, header
    (None: no Authorization header, allowed only at `presented_profile` 3)."""
    station_id = parse_station_id(path)
    if isinstance(station_id, Refuse):
        return station_id
    offered = offered_subprotocols(subprotocol_headers)
    if not offered:
        return Refuse(
            http.HTTPStatus.BAD_REQUEST,
            "no OCPP subprotocol offered; supported: " + ", ".join(SUPPORTED_SUBPROTOCOLS) + "\n",
        )
    version = select_subprotocol(offered)
    if version is None:
        return Refuse(
            http.HTTPStatus.BAD_REQUEST,
            f"none of the offered subprotocols ({', '.join(offered)}) is supported; supported: "
            + ", ".join(SUPPORTED_SUBPROTOCOLS)
            + "\n",
        )
    if authorization is None and presented_profile == 3:
        return Candidate(station_id, version, "")
    credentials = parse_basic_auth(authorization)
    if credentials is None:
        return _unauthorized("HTTP Basic credentials required (user = station id)\n")
    user, password = credentials
    if user != station_id:
        return _unauthorized("the Basic auth user must equal the station id\n")
    return Candidate(station_id, version, password)


def decide(candidate: Candidate, verdict: Verdict, *, accept_unknown_stations: bool) -> Accept | Refuse:
    """The registry's verdict on the presented credentials, applied to the handshake."""
    if verdict is Verdict.ACCEPTED or (verdict is Verdict.UNKNOWN_STATION and accept_unknown_stations):
        return Accept(candidate.station_id, candidate.version)
    if verdict is Verdict.DISABLED:
        return STATION_DISABLED
    # One answer for unknown station, wrong password and too low a profile: do not reveal which station ids exist
    # or at which profile they are registered.
    return INVALID_CREDENTIALS


INVALID_CREDENTIALS = _unauthorized("invalid station credentials\n")
STATION_DISABLED = Refuse(http.HTTPStatus.FORBIDDEN, "station disabled\n")
REGISTRY_UNAVAILABLE = Refuse(http.HTTPStatus.SERVICE_UNAVAILABLE, "station registry unavailable; try again later\n")


def too_many_failures(retry_after_s: float) -> Refuse:
    """The answer to a handshake during a lockout (docs/adr/0025): its credentials are not even looked at."""
    seconds = max(1, math.ceil(retry_after_s))
    return Refuse(
        http.HTTPStatus.TOO_MANY_REQUESTS,
        f"too many failed handshakes; retry in {seconds} s\n",
        (("Retry-After", str(seconds)),),
    )


TOO_MANY_CONNECTIONS = Refuse(http.HTTPStatus.SERVICE_UNAVAILABLE, "too many connections; try again later\n")
