"""List cursors: a position round-trips, and a cursor that was altered, belongs to another listing, was issued
for other filters or by an API with another secret is refused."""

from __future__ import annotations

import base64
import json

import pytest

from csms_api.domain.cursors import Cursors, InvalidCursor

CURSORS = Cursors(b"secret")
FILTERS = {"station_id": "CP-1", "active": True, "from": None}


def test_a_position_round_trips_with_its_listing_and_filters() -> None:
    cursor = CURSORS.seal("transactions", FILTERS, {"t": "page-2", "n": 3})
    assert CURSORS.open(cursor, "transactions", {"active": True, "station_id": "CP-1"}) == {"t": "page-2", "n": 3}


def test_a_cursor_is_opaque_url_safe_text() -> None:
    cursor = CURSORS.seal("transactions", FILTERS, {"t": "page/2+=?"})
    assert set(cursor) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.")


def tampered(cursor: str) -> str:
    payload, mac = cursor.split(".")
    content = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    content["p"]["t"] = "page-9"
    forged = base64.urlsafe_b64encode(json.dumps(content).encode()).rstrip(b"=").decode()
    return f"{forged}.{mac}"


@pytest.mark.parametrize(
    ("cursor", "message"),
    [
        (tampered(CURSORS.seal("transactions", FILTERS, {"t": "page-2"})), "altered or truncated"),
        (CURSORS.seal("transactions", FILTERS, {"t": "page-2"})[:-3], "altered or truncated"),
        (Cursors(b"other").seal("transactions", FILTERS, {"t": "page-2"}), "altered or truncated"),
        ("", "altered or truncated"),
        ("no-dot", "altered or truncated"),
        ("ä.ö", "altered or truncated"),
        (CURSORS.seal("tokens", FILTERS, {"t": "page-2"}), "belongs to another listing"),
        (CURSORS.seal("transactions", {"station_id": "CP-2"}, {"t": "page-2"}), "issued for other filters"),
    ],
)
def test_a_cursor_from_elsewhere_is_refused(cursor: str, message: str) -> None:
    with pytest.raises(InvalidCursor, match=message):
        CURSORS.open(cursor, "transactions", FILTERS)


def test_without_a_secret_an_edit_is_still_caught() -> None:
    unsealed = Cursors(b"")
    with pytest.raises(InvalidCursor):
        unsealed.open(tampered(unsealed.seal("transactions", {}, {"t": "page-2"})), "transactions", {})
