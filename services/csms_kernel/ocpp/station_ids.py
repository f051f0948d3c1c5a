"""The one rule for station ids, shared by the station registry (authorization) and the edge handshake.

OCPP identifierString (2.0.1/2.1 Part 2 "Primitive datatypes"): letters, digits and `* - _ = : + | @ .`; the
identity (`SecurityCtrlr.Identity`) is at most 48 characters. `:` is refused although identifierString allows
it: the id is the HTTP Basic user name, which ends at the first `:` (A00.FR.204). Also refused: `.` and any
`..` (path segments, so `/stations/{id}` URLs stay unambiguous). ASCII only, so no look-alikes (NFC/NFD).
Case is kept as given and lookups are case-sensitive (`CS1` and `cs1` are two stations), as they always were.
The edge percent-decodes the path first and applies this same rule to the result. Pure, no side effects.
"""

from __future__ import annotations

import string

STATION_ID_MAX_LENGTH = 48
STATION_ID_CHARACTERS = frozenset(string.ascii_letters + string.digits + "*-_=+|@.")


class InvalidStationId(ValueError):
    """A station id breaks the identifierString rules; the message says which and why."""


def check_station_id(station_id: str) -> None:
    """Raise `InvalidStationId` unless `station_id` is a valid OCPP station identity (see module docstring)."""
    if not 1 <= len(station_id) <= STATION_ID_MAX_LENGTH:
        raise InvalidStationId(f"station id must be 1..{STATION_ID_MAX_LENGTH} characters, got {len(station_id)}")
    bad = sorted({c for c in station_id if c not in STATION_ID_CHARACTERS})
    if bad:
        shown = ", ".join(ascii(c) for c in bad)
        raise InvalidStationId(f"station id allows only ASCII letters, digits and *-_=+|@., got {shown}")
    if station_id == "." or ".." in station_id:
        raise InvalidStationId("station id must not be '.' or contain '..'")
