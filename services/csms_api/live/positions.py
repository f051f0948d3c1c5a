"""Positions in the source topics and their opaque, resumable form (the SSE event id).

A position vector maps every partition of the source topics to the next offset to read: everything before it
has been sent to the client or filtered out. The event id is that vector, compact and integrity-checked:
base64url( version byte | per topic: topic code, partition count, smallest offset, each partition's offset minus
the smallest (varints) | CRC-32 of the preceding bytes ). Topics are numbered in `TOPIC_CODES` (append only);
a code this process does not know is skipped on decoding, so an id from a newer API instance with one more
source topic is still accepted. A partition missing from an id (added after the id was issued) reads from its
start. The checksum catches edited or truncated ids; it is not a signature: any position is one a client with
the `read` scope may read from. No side effects.
"""

from __future__ import annotations

import base64
import binascii
import struct
import zlib
from collections.abc import Mapping

from aiokafka import TopicPartition

from csms_api.live.errors import BadEventsRequest
from csms_kernel.infra import topics

Positions = Mapping[TopicPartition, int]
"""Next offset to read per partition; treated as immutable once built."""

TOPIC_CODES: dict[str, int] = {
    topics.FRAMES: 1,
    topics.DEVICE_MODEL_EVENTS: 2,
    topics.TRANSACTIONS_EVENTS: 3,
}
_TOPICS_BY_CODE = {code: topic for topic, code in TOPIC_CODES.items()}

_VERSION = 1
_MAX_ID_CHARS = 4096
_MAX_PARTITIONS = 10_000
_CRC = struct.Struct(">I")


def encode(positions: Positions) -> str:
    """The event id of `positions` (partitions of topics without a code are left out)."""
    by_topic: dict[str, dict[int, int]] = {}
    for tp, offset in positions.items():
        by_topic.setdefault(tp.topic, {})[tp.partition] = offset
    out = bytearray((_VERSION,))
    for topic, offsets in sorted(by_topic.items(), key=lambda item: TOPIC_CODES.get(item[0], 0)):
        code = TOPIC_CODES.get(topic)
        if code is None:
            continue
        values = [offsets.get(partition, 0) for partition in range(max(offsets) + 1)]
        base = min(values)
        _varint(out, code)
        _varint(out, len(values))
        _varint(out, base)
        for value in values:
            _varint(out, value - base)
    out += _CRC.pack(zlib.crc32(out))
    return base64.urlsafe_b64encode(out).rstrip(b"=").decode("ascii")


def decode(event_id: str, parameter: str = "Last-Event-ID") -> dict[TopicPartition, int]:
    """The positions of an id made by `encode`; `BadEventsRequest` naming `parameter` for anything else."""
    if not event_id or len(event_id) > _MAX_ID_CHARS:
        raise BadEventsRequest(parameter, "not an event id of this stream (empty or too long)")
    try:
        raw = base64.urlsafe_b64decode(event_id + "=" * (-len(event_id) % 4))
    except (binascii.Error, ValueError):
        raise BadEventsRequest(parameter, "not an event id of this stream (not base64url)") from None
    if len(raw) < 1 + _CRC.size or _CRC.unpack(raw[-_CRC.size :])[0] != zlib.crc32(raw[: -_CRC.size]):
        raise BadEventsRequest(parameter, "not an event id of this stream (checksum mismatch)")
    if raw[0] != _VERSION:
        raise BadEventsRequest(parameter, f"unsupported event id version {raw[0]}")
    body = memoryview(raw)[1 : -_CRC.size]
    positions: dict[TopicPartition, int] = {}
    at = 0
    try:
        while at < len(body):
            code, at = _read_varint(body, at)
            count, at = _read_varint(body, at)
            if not 0 < count <= _MAX_PARTITIONS:
                raise ValueError(f"partition count {count}")
            base, at = _read_varint(body, at)
            topic = _TOPICS_BY_CODE.get(code)
            for partition in range(count):
                delta, at = _read_varint(body, at)
                if topic is not None:
                    positions[TopicPartition(topic, partition)] = base + delta
    except (IndexError, ValueError):
        raise BadEventsRequest(parameter, "not an event id of this stream (truncated or malformed)") from None
    return positions


def _varint(out: bytearray, value: int) -> None:
    while value > 0x7F:
        out.append((value & 0x7F) | 0x80)
        value >>= 7
    out.append(value)


def _read_varint(data: memoryview, at: int) -> tuple[int, int]:
    value = shift = 0
    while True:
        byte = data[at]
        at += 1
        value |= (byte & 0x7F) << shift
        if byte < 0x80:
            return value, at
        shift += 7
        if shift > 63:
            raise ValueError("varint too long")
