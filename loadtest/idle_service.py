"""An idle service for the cost-per-CALL benchmark (`bench_stack --idle N`): a call runner that owns no action,
as a service added to the system (firmware, smart charging, ...) is most of the time.

    .venv/bin/python -m loadtest.idle_service --name idle1 --reads own|frames [--bootstrap 127.0.0.1:9092]

`own` (ADR 0017): it reads its own call topic `ocpp.calls.<name>.v1` (created if missing), which no CALL
reaches. `frames` (before ADR 0017, every service read the whole log): it reads `ocpp.frames.v1` and skips
every record by its headers. Either way the real `CallRunner` on librdkafka, in group `<name>.handlers`.
Side effects: a Kafka consumer group and a transactional producer until SIGTERM/SIGINT.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import signal
from datetime import UTC, datetime

from csms_kernel.handling.answered_calls import AnsweredCall, LatestAnswer
from csms_kernel.handling.call_runner import CallRunner
from csms_kernel.handling.router import Router
from csms_kernel.infra import topics
from csms_kernel.infra.kafka import librdkafka_consumer_config, librdkafka_transactional_config
from csms_kernel.infra.kafka_transactions import AsyncConsumer, TransactionalProducer
from csms_kernel.migrate import ensure_topic


class NoAnsweredCalls:
    """An idle service answers nothing, so it never looks up or stores an answer."""

    async def get(self, station_id: str, connection_id: str, message_id: str) -> AnsweredCall | None:
        return None

    async def put(self, station_id: str, connection_id: str, message_id: str, answer: AnsweredCall) -> None:
        raise AssertionError("an idle service answered a CALL")

    async def latest(self, station_id: str) -> LatestAnswer | None:
        return None


async def serve(name: str, reads: str, bootstrap: str) -> None:
    topic = topics.FRAMES if reads == "frames" else topics.calls(name)
    if reads == "own":
        await ensure_topic(bootstrap, topic, 12, {"retention.ms": str(7 * 24 * 3600 * 1000)})
    group = f"{name}.handlers"
    # From the end: what the log held before the benchmark is not its load.
    config = {**librdkafka_consumer_config(bootstrap, group, group), "auto.offset.reset": "latest"}
    consumer = AsyncConsumer(config, [topic])
    runner: CallRunner[None] = CallRunner(
        service=name,
        router=Router({}, lambda call, emitted: None),
        consumer=consumer,
        producer=TransactionalProducer(librdkafka_transactional_config(bootstrap, group, f"{group}.1")),
        answered=NoAnsweredCalls(),
        events_topic=f"loadtest.{name}.events.v1",
        clock=lambda: datetime.now(UTC),
    )
    await consumer.start()
    task = asyncio.create_task(runner.run())
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, task.cancel)
    try:
        with contextlib.suppress(asyncio.CancelledError):
            await task
    finally:
        await consumer.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--name", required=True, help="service name: group <name>.handlers")
    parser.add_argument("--reads", choices=["own", "frames"], default="own")
    parser.add_argument("--bootstrap", default="127.0.0.1:9092")
    args = parser.parse_args()
    asyncio.run(serve(args.name, args.reads, args.bootstrap))


if __name__ == "__main__":
    main()
