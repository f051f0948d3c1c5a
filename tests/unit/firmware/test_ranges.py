"""Range and If-Range (RFC 9110 §14) for an object of 1000 bytes."""

from __future__ import annotations

import pytest

from csms_firmware.artifacts.ranges import ByteRange, Unsatisfiable, if_range_holds, parse_range


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("bytes=0-99", ByteRange(0, 99)),
        ("bytes=500-", ByteRange(500, 999)),
        ("bytes=-100", ByteRange(900, 999)),
        ("bytes=-5000", ByteRange(0, 999)),
        ("bytes=900-5000", ByteRange(900, 999)),
        ("Bytes = 10 - 19", ByteRange(10, 19)),
        (None, None),
        ("bytes=0-1,5-6", None),  # several ranges: the whole object
        ("items=0-1", None),
        ("bytes=5-1", None),  # invalid: ignored
        ("bytes=abc", None),
        ("bytes=-", None),
        ("bytes", None),
    ],
)
def test_ranges(header: str | None, expected: ByteRange | None) -> None:
    assert parse_range(header, 1000) == expected


@pytest.mark.parametrize(("header", "size"), [("bytes=1000-", 1000), ("bytes=-0", 1000), ("bytes=0-", 0)])
def test_unsatisfiable(header: str, size: int) -> None:
    with pytest.raises(Unsatisfiable):
        parse_range(header, size)


def test_content_range_and_length() -> None:
    assert ByteRange(10, 19).content_range(1000) == "bytes 10-19/1000"
    assert ByteRange(10, 19).length == 10


def test_if_range_needs_the_same_strong_tag() -> None:
    assert if_range_holds(None, '"a"')
    assert if_range_holds(' "a" ', '"a"')
    assert not if_range_holds('"b"', '"a"')
    assert not if_range_holds('W/"a"', '"a"')
    assert not if_range_holds("Sun, 06 Dec 2026 12:00:00 GMT", '"a"')
