"""Station list page tokens: round trip, and forged tokens refused before any Cassandra query."""

from __future__ import annotations

import pytest

from csms_device_model.adapters.repository import decode_page_token, encode_page_token


def test_page_tokens_round_trip_and_forged_ones_are_refused() -> None:
    assert decode_page_token(encode_page_token("CS-42")) == "CS-42"
    for forged in ("!!!", encode_page_token("x" * 49), ""):
        with pytest.raises(ValueError):
            decode_page_token(forged)
