"""The event id codec: round trip, compactness, and refusal of anything it did not make."""

from __future__ import annotations

import base64
import struct
import zlib

import pytest
from aiokafka import TopicPartition

from csms_api.live.errors import BadEventsRequest
from csms_api.live.positions import decode, encode
from csms_kernel.infra import topics


def vector(frames: list[int], device_model: list[int], transactions: list[int]) -> dict[TopicPartition, int]:
    out: dict[TopicPartition, int] = {}
    for topic, offsets in (
        (topics.FRAMES, frames),
        (topics.DEVICE_MODEL_EVENTS, device_model),
        (topics.TRANSACTIONS_EVENTS, transactions),
    ):
        out.update({TopicPartition(topic, p): offset for p, offset in enumerate(offsets)})
    return out


def raw_id(body: bytes) -> str:
    raw = body + struct.pack(">I", zlib.crc32(body))
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


@pytest.mark.parametrize(
    "positions",
    [
        vector([0] * 12, [0] * 12, [0] * 12),
        vector([10_000_000_000 + p * 7919 for p in range(12)], [5, 0, 7, 2**40], [1] * 12),
        vector([], [3], []),
        {},
    ],
)
def test_round_trip(positions: dict[TopicPartition, int]) -> None:
    assert decode(encode(positions)) == positions


def test_ids_are_short_and_url_safe() -> None:
    event_id = encode(vector([123_456_789 + p * 100 for p in range(12)], [40_000 + p for p in range(12)], [9] * 12))
    assert len(event_id) < 120
    assert set(event_id) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")


def test_a_partition_missing_from_the_map_is_encoded_from_its_start() -> None:
    positions = {TopicPartition(topics.DEVICE_MODEL_EVENTS, 2): 9}
    assert decode(encode(positions)) == {
        TopicPartition(topics.DEVICE_MODEL_EVENTS, 0): 0,
        TopicPartition(topics.DEVICE_MODEL_EVENTS, 1): 0,
        TopicPartition(topics.DEVICE_MODEL_EVENTS, 2): 9,
    }


def test_topics_without_a_code_are_left_out() -> None:
    assert decode(encode({TopicPartition("other.topic", 0): 5})) == {}


def test_an_unknown_topic_code_is_skipped_for_ids_of_newer_processes() -> None:
    # version 1 | topic 99: 1 partition, base 7, delta 0 | topic 2: 1 partition, base 4, delta 0
    assert decode(raw_id(bytes([1, 99, 1, 7, 0, 2, 1, 4, 0]))) == {TopicPartition(topics.DEVICE_MODEL_EVENTS, 0): 4}


def tampered(event_id: str) -> list[str]:
    flipped = [event_id[:i] + ("A" if event_id[i] != "A" else "B") + event_id[i + 1 :] for i in range(len(event_id))]
    return [*flipped, event_id[:-1], event_id[:-6], event_id + "A", event_id[1:]]


def same_bytes(a: str, b: str) -> bool:
    try:
        return base64.urlsafe_b64decode(a + "=" * (-len(a) % 4)) == base64.urlsafe_b64decode(b + "=" * (-len(b) % 4))
    except ValueError:
        return False


def test_every_edited_or_truncated_id_is_refused() -> None:
    event_id = encode(vector([100 + p for p in range(12)], [200] * 12, [300] * 12))
    for bad in tampered(event_id):
        if same_bytes(bad, event_id):  # a flip in the unused low bits of the last character
            continue
        with pytest.raises(BadEventsRequest) as refused:
            decode(bad)
        assert refused.value.parameter == "Last-Event-ID"


@pytest.mark.parametrize(
    ("event_id", "why"),
    [
        ("", "empty"),
        ("x" * 5000, "too long"),
        ("not base64!", "not base64url"),
        ("AAAA", "checksum"),
        (raw_id(bytes([2, 2, 1, 0, 0])), "version 2"),
        (raw_id(bytes([1, 2, 3, 0, 0])), "truncated"),
        (raw_id(bytes([1, 2, 0, 0])), "malformed"),
        (raw_id(bytes([1, 2, 1]) + b"\xff" * 11), "malformed"),
    ],
)
def test_malformed_ids_name_the_parameter_and_say_why(event_id: str, why: str) -> None:
    with pytest.raises(BadEventsRequest) as refused:
        decode(event_id, "last_event_id")
    assert refused.value.parameter == "last_event_id"
    assert why in refused.value.detail
