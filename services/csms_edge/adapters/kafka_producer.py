"""An asyncio face on librdkafka's producer (confluent-kafka): `send` returns a future that resolves once the
broker acknowledged the record, or fails with the record's delivery error.

librdkafka does the batching, retries and network I/O on its own threads; its delivery reports wait in a
queue until `poll`. This adapter polls that queue without blocking from the event loop: every
`poll_interval_s` while records are outstanding (so one loop wake-up serves a whole batch of reports, and
the delivery callbacks settle their futures on the loop thread without any locking), every
`idle_poll_interval_s` otherwise (librdkafka's errors and logs). A fatal producer error (the idempotent
producer cannot keep its guarantees) fails what is outstanding and replaces the producer.
Side effects: librdkafka's threads and broker connections, until `stop`.
"""

from __future__ import annotations

import asyncio
import functools
import logging
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Protocol

import confluent_kafka

log = logging.getLogger(__name__)
librdkafka_log = logging.getLogger("librdkafka")


class Producer(Protocol):
    """The parts of a `confluent_kafka.Producer` the adapter uses (a fake implements it in tests)."""

    def produce(
        self,
        topic: str,
        value: bytes,
        key: bytes,
        *,
        on_delivery: Callable[[confluent_kafka.KafkaError | None, Any], None],
        headers: Any,
    ) -> None: ...

    def poll(self, timeout: float) -> int: ...

    def purge(self) -> None: ...

    def close(self) -> object: ...

    def __len__(self) -> int: ...


ProducerFactory = Callable[[dict[str, Any]], Producer]


class ProducerStopped(Exception):
    """The record was still outstanding when the producer stopped."""


def _settle(future: asyncio.Future[None], error: confluent_kafka.KafkaError | None, _message: object) -> None:
    if future.done():  # the awaiting task was cancelled; the record still went its way
        return
    if error is None:
        future.set_result(None)
    else:
        future.set_exception(confluent_kafka.KafkaException(error))


def _report_failure(on_failure: Callable[[], None], error: confluent_kafka.KafkaError | None, _message: object) -> None:
    if error is not None:
        on_failure()


class AsyncProducer:
    def __init__(
        self,
        config: Mapping[str, Any],
        *,
        factory: ProducerFactory = confluent_kafka.Producer,
        poll_interval_s: float = 0.001,
        idle_poll_interval_s: float = 1.0,
    ) -> None:
        """Creates the producer (it connects in the background); call from the event loop it serves."""
        self._config = {**config, "error_cb": self._on_error, "logger": librdkafka_log}
        self._factory = factory
        self._poll_interval_s = poll_interval_s
        self._idle_poll_interval_s = idle_poll_interval_s
        self._loop = asyncio.get_running_loop()
        self._producer = factory(self._config)
        self._fatal = False
        self._retired: list[Producer] = []
        self._fast = False
        self._stopped = False
        self._timer = self._loop.call_later(idle_poll_interval_s, self._poll)

    def send(self, topic: str, value: bytes, key: bytes, headers: Sequence[tuple[str, bytes]]) -> asyncio.Future[None]:
        """Hands the record to librdkafka (in order per partition); the future settles with its delivery report
        (librdkafka reports every record exactly once: acknowledged, failed, or purged).
        Raises at once when the record is refused (queue full, producer stopped)."""
        if self._stopped:
            raise ProducerStopped("producer stopped")
        future: asyncio.Future[None] = self._loop.create_future()
        self._producer.produce(topic, value, key, on_delivery=functools.partial(_settle, future), headers=headers)
        self._poll_soon()
        return future

    def send_reporting_failure(
        self, topic: str, value: bytes, key: bytes, headers: Sequence[tuple[str, bytes]], on_failure: Callable[[], None]
    ) -> None:
        """Hands the record to librdkafka without a future; `on_failure` runs (on the loop) if it is not
        delivered. On a producer configured with `delivery.report.only.error` a delivered record then costs
        no Python at all (`send` must not be used there: its futures would never settle).
        Raises at once when the record is refused (queue full, producer stopped)."""
        if self._stopped:
            raise ProducerStopped("producer stopped")
        self._producer.produce(
            topic, value, key, on_delivery=functools.partial(_report_failure, on_failure), headers=headers
        )
        self._poll_soon()

    def _poll_soon(self) -> None:
        if not self._fast:
            self._fast = True
            self._timer.cancel()
            self._timer = self._loop.call_later(self._poll_interval_s, self._poll)

    def _poll(self) -> None:
        try:
            self._serve()
        finally:  # an error in a callback is the loop's to report; polling must go on
            self._fast = self._pending()
            self._timer = self._loop.call_later(
                self._poll_interval_s if self._fast else self._idle_poll_interval_s, self._poll
            )

    def _pending(self) -> bool:
        """Records or events not served yet."""
        return len(self._producer) > 0 or bool(self._retired)

    def _serve(self) -> None:
        """Runs the callbacks of what librdkafka has ready: delivery reports, errors, logs."""
        self._producer.poll(0)
        if self._fatal:
            self._replace()
        if self._retired:
            self._serve_retired()

    def _serve_retired(self) -> None:
        for retired in list(self._retired):
            retired.poll(0)
            if len(retired) == 0:
                retired.close()
                self._retired.remove(retired)

    def _on_error(self, error: confluent_kafka.KafkaError) -> None:
        if error.fatal():
            log.error("Kafka producer failed for good (%s); replacing it", error)
            self._fatal = True
        else:
            log.warning("Kafka producer: %s", error)

    def _replace(self) -> None:
        """A fatal error leaves an idempotent producer unusable: its outstanding records are purged (their
        appends raise, so the stations retry them) and a new producer takes over. The old one is polled
        until its last delivery report is served."""
        self._fatal = False
        failed, self._producer = self._producer, self._factory(self._config)
        failed.purge()
        self._retired.append(failed)

    async def stop(self, timeout_s: float = 30.0) -> None:
        """Refuses new records, waits (bounded) for the outstanding ones, fails those left over (purged), and
        closes the producer."""
        if self._stopped:
            return
        self._stopped = True
        self._timer.cancel()
        deadline = self._loop.time() + timeout_s
        self._serve()
        while self._pending() and self._loop.time() < deadline:
            await asyncio.sleep(self._poll_interval_s)
            self._serve()
        producers = (self._producer, *self._retired)
        if self._pending():
            log.warning("%d records not acknowledged before the producer stopped", sum(map(len, producers)))
            for producer in producers:
                producer.purge()
                producer.poll(0)
        for producer in producers:
            producer.close()
