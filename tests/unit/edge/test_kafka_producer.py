"""The asyncio face of the librdkafka producer, against a fake producer whose delivery reports wait for `poll`.
The fake records when it was polled, so tests wait for polls (with a deadline) and check the intervals between
them from below, never by sleeping."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Callable
from typing import Any

import confluent_kafka
import pytest

from csms_edge.adapters.kafka_producer import AsyncProducer, ProducerStopped
from kit.waiting import wait_until

FAST_S = 0.001
IDLE_S = 0.05
CLOCK_S = 0.001  # the event loop may run a timer up to its clock resolution early
HEADERS = [("station_id", b"CS-1")]

Report = Callable[[confluent_kafka.KafkaError | None, Any], None]


class FakeProducer:
    """Queues produced records; `ack`/`fail` turn them into delivery reports that `poll` serves."""

    def __init__(self, config: dict[str, Any]) -> None:
        self.config = config
        self.produced: list[tuple[str, bytes, bytes, Any]] = []
        self.in_flight: list[Report] = []
        self.reports: list[Callable[[], None]] = []
        self.created_at = asyncio.get_running_loop().time()
        self.polled_at: list[float] = []
        self.purged = self.closed = False

    @property
    def polls(self) -> int:
        return len(self.polled_at)

    def produce(self, topic: str, value: bytes, key: bytes, *, on_delivery: Report, headers: Any) -> None:
        self.produced.append((topic, value, key, headers))
        self.in_flight.append(on_delivery)

    def ack(self, count: int | None = None) -> None:
        """The broker acknowledges the oldest `count` records (all by default)."""
        done, self.in_flight = self.in_flight[:count], self.in_flight[len(self.in_flight[:count]) :]
        self.reports.extend(lambda report=report: report(None, object()) for report in done)

    def fail(self, error: confluent_kafka.KafkaError) -> None:
        done, self.in_flight = self.in_flight, []
        self.reports.extend(lambda report=report: report(error, object()) for report in done)

    def raise_error(self, error: confluent_kafka.KafkaError) -> None:
        self.reports.append(lambda: self.config["error_cb"](error))

    def poll(self, timeout: float) -> int:
        self.polled_at.append(asyncio.get_running_loop().time())
        served, self.reports = self.reports, []
        for report in served:
            report()
        return len(served)

    def purge(self) -> None:
        self.purged = True
        self.fail(confluent_kafka.KafkaError(confluent_kafka.KafkaError._PURGE_QUEUE))

    def close(self) -> bool:
        self.closed = True
        return True

    def __len__(self) -> int:
        return len(self.in_flight) + len(self.reports)


class Fakes:
    def __init__(self) -> None:
        self.made: list[FakeProducer] = []

    def __call__(self, config: dict[str, Any]) -> FakeProducer:
        self.made.append(FakeProducer(config))
        return self.made[-1]

    @property
    def current(self) -> FakeProducer:
        return self.made[-1]


def producer(fakes: Fakes, **kwargs: Any) -> AsyncProducer:
    return AsyncProducer({"bootstrap.servers": "kafka:9092"}, factory=fakes, poll_interval_s=FAST_S, **kwargs)


async def settled(future: asyncio.Future[None]) -> None:
    await asyncio.wait_for(future, 1.0)


async def polled(fake: FakeProducer, times: int) -> None:
    """Waits until `fake` was polled `times` more times."""
    target = fake.polls + times
    await wait_until(lambda: fake.polls >= target)


def gaps(moments: list[float]) -> list[float]:
    return [later - earlier for earlier, later in itertools.pairwise(moments)]


async def test_a_send_resolves_once_its_delivery_report_is_polled() -> None:
    fakes = Fakes()
    kafka = producer(fakes)
    sent = kafka.send("frames", b"value", b"CS-1", HEADERS)
    assert fakes.current.produced == [("frames", b"value", b"CS-1", HEADERS)]
    await polled(fakes.current, 3)
    assert not sent.done()  # produced is not acknowledged
    fakes.current.ack()
    await settled(sent)
    assert sent.result() is None
    await kafka.stop()


async def test_records_are_handed_over_in_call_order_and_settle_independently() -> None:
    fakes = Fakes()
    kafka = producer(fakes)
    sent = [kafka.send("frames", str(i).encode(), b"CS-1", HEADERS) for i in range(3)]
    assert [value for _, value, _, _ in fakes.current.produced] == [b"0", b"1", b"2"]
    fakes.current.ack(1)
    await settled(sent[0])
    await polled(fakes.current, 3)
    assert [future.done() for future in sent] == [True, False, False]
    fakes.current.ack()
    await asyncio.gather(*sent)
    await kafka.stop()


async def test_a_failed_delivery_raises_the_kafka_error() -> None:
    fakes = Fakes()
    kafka = producer(fakes)
    sent = kafka.send("frames", b"value", b"CS-1", HEADERS)
    fakes.current.fail(confluent_kafka.KafkaError(confluent_kafka.KafkaError._MSG_TIMED_OUT))
    with pytest.raises(confluent_kafka.KafkaException) as raised:
        await settled(sent)
    assert raised.value.args[0].code() == confluent_kafka.KafkaError._MSG_TIMED_OUT
    await kafka.stop()


async def test_one_poll_serves_a_whole_batch_of_reports() -> None:
    fakes = Fakes()
    kafka = producer(fakes)
    sent = [kafka.send("frames", b"v", b"CS-1", HEADERS) for _ in range(100)]
    fakes.current.ack()
    polls = fakes.current.polls
    await asyncio.wait_for(asyncio.gather(*sent), 1.0)
    assert fakes.current.polls == polls + 1
    await kafka.stop()


async def test_polls_slowly_while_nothing_is_outstanding() -> None:
    fakes = Fakes()
    kafka = producer(fakes, idle_poll_interval_s=IDLE_S)
    fake = fakes.current
    await polled(fake, 2)
    assert min(gaps([fake.created_at, *fake.polled_at])) >= IDLE_S - CLOCK_S
    sent = kafka.send("frames", b"v", b"CS-1", HEADERS)
    fake.ack()
    await settled(sent)
    served = fake.polls
    await polled(fake, 2)
    assert min(gaps(fake.polled_at[served - 1 :])) >= IDLE_S - CLOCK_S  # slow again
    await kafka.stop()


async def test_polls_fast_while_records_are_outstanding() -> None:
    fakes = Fakes()
    kafka = producer(fakes, idle_poll_interval_s=3600)
    sent = kafka.send("frames", b"v", b"CS-1", HEADERS)
    await polled(fakes.current, 5)  # at the idle interval, not even one poll would come before the deadline
    assert not sent.done()
    fakes.current.ack()
    await settled(sent)
    await kafka.stop()


async def test_a_cancelled_waiter_does_not_break_the_report() -> None:
    fakes = Fakes()
    kafka = producer(fakes)
    sent = kafka.send("frames", b"v", b"CS-1", HEADERS)
    sent.cancel()
    fakes.current.ack()
    await wait_until(lambda: len(fakes.current) == 0)
    await kafka.stop()


async def test_a_fatal_error_fails_what_is_outstanding_and_replaces_the_producer() -> None:
    fakes = Fakes()
    kafka = producer(fakes)
    outstanding = kafka.send("frames", b"before", b"CS-1", HEADERS)
    failed = fakes.current
    failed.raise_error(confluent_kafka.KafkaError(confluent_kafka.KafkaError._FATAL, "fenced", fatal=True))
    with pytest.raises(confluent_kafka.KafkaException):
        await settled(outstanding)
    assert failed.purged
    assert len(fakes.made) == 2
    after = kafka.send("frames", b"after", b"CS-1", HEADERS)
    assert fakes.current.produced == [("frames", b"after", b"CS-1", HEADERS)]
    fakes.current.ack()
    await settled(after)
    await kafka.stop()
    assert failed.closed


async def test_a_transient_error_is_only_logged(caplog: pytest.LogCaptureFixture) -> None:
    fakes = Fakes()
    kafka = producer(fakes)
    sent = kafka.send("frames", b"v", b"CS-1", HEADERS)
    fakes.current.raise_error(confluent_kafka.KafkaError(confluent_kafka.KafkaError._TRANSPORT, "broker down"))
    fakes.current.ack()
    await settled(sent)
    assert len(fakes.made) == 1
    assert "broker down" in caplog.text
    await kafka.stop()


async def test_polling_goes_on_after_a_failing_callback() -> None:
    fakes = Fakes()
    kafka = producer(fakes)
    errors: list[dict[str, Any]] = []
    asyncio.get_running_loop().set_exception_handler(lambda loop, context: errors.append(context))
    try:
        sent = kafka.send("frames", b"v", b"CS-1", HEADERS)
        fakes.current.reports.append(lambda: 1 / 0)
        await wait_until(lambda: len(errors) == 1)
        fakes.current.ack()
        await settled(sent)
    finally:
        asyncio.get_running_loop().set_exception_handler(None)
    assert isinstance(errors[0]["exception"], ZeroDivisionError)
    await kafka.stop()


async def test_stop_waits_for_outstanding_records_then_closes() -> None:
    fakes = Fakes()
    kafka = producer(fakes)
    sent = kafka.send("frames", b"v", b"CS-1", HEADERS)
    stopping = asyncio.create_task(kafka.stop(timeout_s=5.0))
    await polled(fakes.current, 3)
    assert not stopping.done()
    with pytest.raises(ProducerStopped):
        kafka.send("frames", b"late", b"CS-1", HEADERS)
    fakes.current.ack()
    await asyncio.wait_for(stopping, 1.0)
    assert sent.result() is None
    assert fakes.current.closed and not fakes.current.purged


async def test_stop_fails_what_is_not_acknowledged_in_time() -> None:
    fakes = Fakes()
    kafka = producer(fakes)
    sent = kafka.send("frames", b"v", b"CS-1", HEADERS)
    await kafka.stop(timeout_s=0.02)
    with pytest.raises(confluent_kafka.KafkaException) as raised:
        sent.result()
    assert raised.value.args[0].code() == confluent_kafka.KafkaError._PURGE_QUEUE
    assert fakes.current.purged and fakes.current.closed


async def test_the_producer_serves_error_and_log_callbacks() -> None:
    fakes = Fakes()
    kafka = producer(fakes)
    assert callable(fakes.current.config["error_cb"])
    assert fakes.current.config["logger"].name == "librdkafka"
    assert fakes.current.config["bootstrap.servers"] == "kafka:9092"
    await kafka.stop()


async def test_a_record_sent_reporting_failure_calls_back_only_when_it_is_not_delivered() -> None:
    fakes = Fakes()
    kafka = producer(fakes)
    failed: list[str] = []
    kafka.send_reporting_failure("calls", b"ok", b"CS-1", HEADERS, lambda: failed.append("ok"))
    fakes.current.ack()
    kafka.send_reporting_failure("calls", b"lost", b"CS-1", HEADERS, lambda: failed.append("lost"))
    fakes.current.fail(confluent_kafka.KafkaError(confluent_kafka.KafkaError._MSG_TIMED_OUT))
    await wait_until(lambda: failed == ["lost"], timeout_s=2)
    assert [value for _, value, _, _ in fakes.current.produced] == [b"ok", b"lost"]
    await kafka.stop()
