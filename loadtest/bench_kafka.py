"""Kafka building blocks as the runners use them (`csms.kafka` clients): the cost of one transaction (send +
offsets + commit) and the time until a `read_committed` consumer has the record, for a consumer
`fetch_max_wait_ms` (the broker's long-poll bound when there is nothing to return), plus the CPU an idle
consumer costs its process with that setting.

    .venv/bin/python -m loadtest.bench_kafka [--samples 300] [--waits 5,100,500]
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import random
import statistics
import time
import uuid

from aiokafka import AIOKafkaConsumer, TopicPartition

from csms_kernel.infra.kafka import make_consumer, make_producer
from csms_kernel.migrate import ensure_topic
from loadtest.bench_edge import bootstrap
from loadtest.procstat import load_average
from loadtest.simulator.stats import percentile

TOPIC = "loadtest.txn.v1"


def consumer(wait_ms: int) -> AIOKafkaConsumer:
    made = make_consumer(bootstrap(), None, f"bench-kafka-{wait_ms}", read_committed=True)
    made._fetch_max_wait_ms = wait_ms  # the one setting under test (read at start); the rest as in production
    return made


async def transactions(wait_ms: int, samples: int) -> tuple[list[float], list[float]]:
    """(commit durations, commit start → consumed) in seconds, one transaction at a time."""
    producer = make_producer(bootstrap(), "bench-kafka", transactional_id=f"loadtest.bench.{uuid.uuid4().hex[:8]}")
    reader = consumer(wait_ms)
    tp = TopicPartition(TOPIC, 0)
    await producer.start()
    await reader.start()
    try:
        reader.assign([tp])
        await reader.seek_to_end(tp)
        commits, visible = [], []
        for i in range(samples + 20):  # the first 20 warm up
            await asyncio.sleep(random.uniform(0, 0.02))  # arrivals at random points of the poll cycle
            started = time.perf_counter()
            async with producer.transaction():
                await producer.send(TOPIC, str(i).encode(), key=b"k")
                await producer.send_offsets_to_transaction({tp: i}, "loadtest.bench")
            committed = time.perf_counter()
            while True:
                batch = await reader.getmany(tp, timeout_ms=1000)
                if any(record.value == str(i).encode() for record in batch.get(tp, [])):
                    break
            if i >= 20:
                commits.append(committed - started)
                visible.append(time.perf_counter() - started)
        return commits, visible
    finally:
        await reader.stop()
        await producer.stop()


async def idle_cpu(wait_ms: int, seconds: float = 5.0) -> float:
    """CPU seconds per second this process spends on one idle consumer."""
    reader = consumer(wait_ms)
    await reader.start()
    try:
        reader.assign([TopicPartition(TOPIC, 0)])
        await reader.seek_to_end(TopicPartition(TOPIC, 0))
        started = time.process_time()
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            await reader.getmany(timeout_ms=200)
        return (time.process_time() - started) / seconds
    finally:
        await reader.stop()


def ms(values: list[float], q: float) -> float:
    return percentile(sorted(values), q) * 1000


async def main_async(samples: int, waits: list[int]) -> None:
    await ensure_topic(bootstrap(), TOPIC, 1, {"retention.ms": "3600000"})
    for wait_ms in waits:
        commits, visible = await transactions(wait_ms, samples)
        cpu = await idle_cpu(wait_ms)
        print(
            f"fetch_max_wait_ms {wait_ms:4d}: transaction p50 {ms(commits, 50):5.1f} p99 {ms(commits, 99):6.1f} ms; "
            f"until consumed p50 {ms(visible, 50):5.1f} p99 {ms(visible, 99):6.1f} ms "
            f"(mean {statistics.fmean(visible) * 1000:.1f}); idle consumer {cpu * 100:.1f} % of a core",
            flush=True,
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=300)
    parser.add_argument("--waits", default="5,100,500")
    args = parser.parse_args()
    logging.getLogger("aiokafka").setLevel(logging.ERROR)  # retried produce errors are not results
    print(f"{load_average()} at start, Kafka {bootstrap()}")
    asyncio.run(main_async(args.samples, [int(w) for w in args.waits.split(",")]))
    print(f"{load_average()} at end")


if __name__ == "__main__":
    main()
