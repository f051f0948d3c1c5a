"""HTTP range requests (RFC 9110 §14): which bytes of an object a GET asks for. Pure.

One range is served as 206 with its Content-Range; a request for several ranges gets the whole object (200), which
RFC 9110 allows (a server may ignore Range), so no multipart/byteranges bodies. An unparsable Range header is
ignored (§14.2); a syntactically valid one that no byte of the object satisfies is 416."""

from __future__ import annotations

import re
from dataclasses import dataclass

_SPEC = re.compile(r"\s*(\d*)\s*-\s*(\d*)\s*")


@dataclass(frozen=True)
class ByteRange:
    first: int
    last: int  # inclusive

    @property
    def length(self) -> int:
        return self.last - self.first + 1

    def content_range(self, size: int) -> str:
        return f"bytes {self.first}-{self.last}/{size}"


class Unsatisfiable(Exception):
    """No byte of the object is in the requested range (answer 416 with `Content-Range: bytes */size`)."""


def parse_range(header: str | None, size: int) -> ByteRange | None:
    """The one range a `Range` header asks of an object of `size` bytes, clipped to it; None for the whole
    object (no header, another unit, several ranges, or a header that does not parse); `Unsatisfiable`."""
    if header is None:
        return None
    unit, sep, specs = header.partition("=")
    if not sep or unit.strip().lower() != "bytes":
        return None
    parts = specs.split(",")
    if len(parts) != 1:
        return None
    found = _SPEC.fullmatch(parts[0])
    if found is None:
        return None
    first_text, last_text = found.groups()
    if not first_text:
        if not last_text:
            return None
        suffix = int(last_text)
        if suffix == 0 or size == 0:
            raise Unsatisfiable
        return ByteRange(max(0, size - suffix), size - 1)
    first = int(first_text)
    last = int(last_text) if last_text else size - 1
    if last_text and last < first:
        return None
    if first >= size:
        raise Unsatisfiable
    return ByteRange(first, min(last, size - 1))


def if_range_holds(if_range: str | None, etag: str) -> bool:
    """Whether a Range may be honoured under `If-Range`: no header, or the object's strong entity tag itself.
    A date or a weak tag never matches (our validators are entity tags), so the whole object is sent."""
    if if_range is None:
        return True
    candidate = if_range.strip()
    return not candidate.startswith("W/") and candidate == etag
