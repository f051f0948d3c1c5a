"""Opaque list cursors, pure: a listing's position (a service's page token, and for joined listings an offset)
sealed together with the listing and the filters it belongs to.

A cursor is `<payload>.<mac>`: the payload is URL-safe base64 of compact JSON `{"l": listing, "f": filters,
"p": position}`, the mac the first 16 bytes of HMAC-SHA256 over it. With a secret a cursor cannot be forged;
without one the mac is a checksum that still catches edits. A cursor is accepted only for the listing and the
filters it was issued for (`limit` may change between pages). No I/O.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
from collections.abc import Mapping
from typing import Any

MAC_BYTES = 16
Filters = Mapping[str, Any]
"""A listing's filters: JSON values (times as ISO 8601 strings); None and absent are the same."""


class InvalidCursor(ValueError):
    """Not a cursor this API issued for this listing and these filters; the message says which."""


class Cursors:
    def __init__(self, secret: bytes) -> None:
        self._secret = secret

    def seal(self, listing: str, filters: Filters, position: Mapping[str, Any]) -> str:
        payload = _b64(json.dumps({"l": listing, "f": _canonical(filters), "p": dict(position)}, separators=(",", ":")))
        return f"{payload}.{_b64(self._mac(payload))}"

    def open(self, cursor: str, listing: str, filters: Filters) -> dict[str, Any]:
        """The position sealed in `cursor`; InvalidCursor when it was altered or belongs elsewhere."""
        payload, dot, mac = cursor.partition(".")
        try:
            valid = bool(dot) and hmac.compare_digest(_unb64(mac), self._mac(payload))
            content = json.loads(_unb64(payload)) if valid else None
        except (ValueError, binascii.Error, UnicodeDecodeError):
            content = None
        if not isinstance(content, dict) or not isinstance(content.get("p"), dict):
            raise InvalidCursor("not a cursor issued by this API (altered or truncated)")
        if content.get("l") != listing:
            raise InvalidCursor("the cursor belongs to another listing")
        if content.get("f") != _canonical(filters):
            raise InvalidCursor("the cursor was issued for other filters; repeat the filters of the first page")
        position: dict[str, Any] = content["p"]
        return position

    def _mac(self, payload: str) -> bytes:
        return hmac.new(self._secret, payload.encode("ascii"), hashlib.sha256).digest()[:MAC_BYTES]


def _canonical(filters: Filters) -> dict[str, Any]:
    return {name: value for name, value in sorted(filters.items()) if value is not None}


def _b64(data: str | bytes) -> str:
    raw = data.encode("utf-8") if isinstance(data, str) else data
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text.encode("ascii") + b"=" * (-len(text) % 4))
