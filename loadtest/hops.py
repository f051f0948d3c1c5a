"""Where a CALL's latency goes, hop by hop, read back from the records it left in Kafka (issue 16).

Every answered station CALL leaves four timestamps in Kafka, with no tracing switched on:
- the frame log record's `received_at`: the edge read the frame from the socket;
- the call-topic record's Kafka timestamp: the edge handed the CALL to its owner, right after the frame log
  acknowledged the frame (acks=all; ADR 0017), so this is "durable";
- the reply's `produced_at` (in the edge node's delivery topic): the service's handler had the answer;
  the reply record's Kafka timestamp: the call runner produced it inside its transaction;
- the delivered copy in the frame log (`received_at` of a CSMS-to-station frame): the edge wrote the reply to
  the socket.
CALLs the edge answered itself (ADR 0046: their frame-log record has the edge's `reason`, and no call-topic record)
are only counted: their answer follows one frame-log acknowledgement (the first hop below).

    .venv/bin/python -m loadtest.hops --bootstrap 127.0.0.1:9092 --since-s 70 [--until-s 10]

reads the records of the last `since-s` seconds (up to `until-s` seconds ago) and prints p50/p90/p99 of each
hop per action. Run it right after a `loadtest.bench_stack latency` run; the stations' own latency adds the
socket and the simulator's event loop on both sides.
"""

from __future__ import annotations

import argparse
import statistics
import time
import uuid
from collections import defaultdict
from dataclasses import dataclass

from confluent_kafka import OFFSET_END, Consumer, TopicPartition

from csms.envelope.v1 import envelope_pb2
from csms_edge.domain import edge_answers

_CALL = 2
_ANSWERS = frozenset({3, 4})


@dataclass
class Hops:
    received_ns: int = 0
    durable_ns: int = 0
    handled_ns: int = 0
    produced_ns: int = 0
    sent_ns: int = 0
    action: str = ""
    edge_answered: bool = False


def _ns(timestamp: object) -> int:
    return int(timestamp.ToNanoseconds())  # type: ignore[attr-defined]


def read(bootstrap: str, since_ms: int, until_ms: int) -> dict[tuple[str, str, str], Hops]:
    consumer = Consumer(
        {
            "bootstrap.servers": bootstrap,
            "group.id": f"hops-{uuid.uuid4()}",
            "enable.auto.commit": False,
            "isolation.level": "read_uncommitted",
        }
    )
    names = [
        name
        for name in consumer.list_topics(timeout=10).topics
        if name == "ocpp.frames.v1" or name.startswith(("ocpp.calls.", "ocpp.delivery."))
    ]
    metadata = consumer.list_topics(timeout=10).topics
    wanted = [TopicPartition(name, p, since_ms) for name in names for p in metadata[name].partitions]
    starts = consumer.offsets_for_times(wanted, timeout=30)
    ends = {}
    for tp in starts:
        _, high = consumer.get_watermark_offsets(tp, timeout=10)
        ends[(tp.topic, tp.partition)] = high
    assign = [tp for tp in starts if tp.offset not in (OFFSET_END, -1) and tp.offset < ends[(tp.topic, tp.partition)]]
    consumer.assign(assign)
    left = {(tp.topic, tp.partition) for tp in assign}
    hops: dict[tuple[str, str, str], Hops] = defaultdict(Hops)
    deadline = time.monotonic() + 120
    while left and time.monotonic() < deadline:
        messages = consumer.consume(5000, timeout=2.0)
        if not messages:
            break  # the ends of transactional partitions are commit markers, never returned as records
        for message in messages:
            if message.error():
                continue
            topic, partition, offset = message.topic() or "", message.partition() or 0, message.offset() or 0
            if offset + 1 >= ends[(topic, partition)]:
                left.discard((topic, partition))
            _, ts_ms = message.timestamp()
            if ts_ms > until_ms:
                left.discard((topic, partition))
                continue
            envelope = envelope_pb2.Envelope.FromString(message.value() or b"")
            if envelope.kind != envelope_pb2.KIND_FRAME:
                continue
            key = (envelope.station_id, envelope.connection_id, envelope.message_id)
            entry = hops[key]
            if topic == "ocpp.frames.v1":
                if envelope.direction == envelope_pb2.DIRECTION_STATION_TO_CSMS and envelope.message_type == _CALL:
                    entry.received_ns, entry.action = _ns(envelope.received_at), envelope.action
                    entry.edge_answered = envelope.reason == edge_answers.REASON
                elif envelope.message_type in _ANSWERS and not entry.sent_ns:
                    entry.sent_ns = _ns(envelope.received_at)  # a delivered copy: when it was written
            elif topic.startswith("ocpp.calls."):
                entry.durable_ns = ts_ms * 1_000_000
            elif envelope.message_type in _ANSWERS:
                entry.handled_ns = _ns(envelope.produced_at)
                entry.produced_ns = ts_ms * 1_000_000
    consumer.close()
    return hops


def _line(name: str, values: list[float]) -> str:
    if not values:
        return f"  {name:34s} (none)"
    values.sort()
    q = statistics.quantiles(values, n=100) if len(values) > 1 else values * 99
    return f"  {name:34s} n={len(values):6d}  p50 {q[49]:7.1f}  p90 {q[89]:7.1f}  p99 {q[98]:7.1f} ms"


def report(hops: dict[tuple[str, str, str], Hops]) -> str:
    by_action: dict[str, list[Hops]] = defaultdict(list)
    answered_here: dict[str, int] = defaultdict(int)
    for entry in hops.values():
        if entry.received_ns and entry.edge_answered:
            answered_here[entry.action] += 1
        elif entry.received_ns and entry.sent_ns:
            by_action[entry.action].append(entry)
    lines = [f"{action}: {n} answered at the edge (ADR 0046)" for action, n in sorted(answered_here.items())]
    for action, entries in sorted(by_action.items(), key=lambda item: -len(item[1])):
        routed = [e for e in entries if e.durable_ns and e.handled_ns and e.produced_ns]
        lines.append(f"{action}: {len(entries)} answered, {len(routed)} through a service")

        def ms(pairs: list[tuple[int, int]]) -> list[float]:
            return [(b - a) / 1e6 for a, b in pairs]

        lines.append(_line("edge receive -> frame durable", ms([(e.received_ns, e.durable_ns) for e in routed])))
        lines.append(_line("durable -> handler answered", ms([(e.durable_ns, e.handled_ns) for e in routed])))
        lines.append(_line("answered -> produced in transaction", ms([(e.handled_ns, e.produced_ns) for e in routed])))
        lines.append(_line("produced -> edge sent (commit, fetch)", ms([(e.produced_ns, e.sent_ns) for e in routed])))
        lines.append(_line("edge receive -> edge sent", ms([(e.received_ns, e.sent_ns) for e in entries])))
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bootstrap", default="127.0.0.1:9092")
    parser.add_argument("--since-s", type=float, default=70.0)
    parser.add_argument("--until-s", type=float, default=0.0)
    args = parser.parse_args()
    now_ms = int(time.time() * 1000)
    print(report(read(args.bootstrap, now_ms - int(args.since_s * 1000), now_ms - int(args.until_s * 1000))))


if __name__ == "__main__":
    main()
