"""Grouping statements into requests: one per partition, single statements a few partitions at a time."""

from __future__ import annotations

from dataclasses import dataclass

from csms_kernel.projecting.writes import BATCH_PARTITIONS, BATCH_STATEMENTS, requests


@dataclass(frozen=True)
class Statement:
    routing_key: bytes
    n: int


def test_statements_of_a_partition_go_together_in_order_and_single_ones_share_requests() -> None:
    row = [Statement(b"tx", n) for n in range(3)]
    indexes = [Statement(f"index-{n}".encode(), 10 + n) for n in range(BATCH_PARTITIONS + 2)]
    samples = [Statement(b"connector", 20), Statement(b"connector", 21)]
    assert requests([row[0], indexes[0], *samples, row[1], *indexes[1:], row[2]]) == [
        row,
        samples,
        indexes[:BATCH_PARTITIONS],
        indexes[BATCH_PARTITIONS:],
    ]


def test_a_large_partition_is_split() -> None:
    statements = [Statement(b"tx", n) for n in range(BATCH_STATEMENTS + 1)]
    assert requests(statements) == [statements[:BATCH_STATEMENTS], statements[BATCH_STATEMENTS:]]
    assert requests([]) == []
