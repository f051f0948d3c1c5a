"""The projection runner on fakes: decode errors parked with the reason, failing records retried then parked,
transient errors retried until they pass, state read before and policies run after the writes, commits last."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass, field

import pytest
from aiokafka import ConsumerRecord, TopicPartition
from aiokafka.errors import CommitFailedError, IllegalStateError

from csms.envelope.v1 import envelope_pb2
from csms_kernel.infra.backoff import Backoff
from csms_kernel.infra.health import Readiness
from csms_kernel.ocpp.errors import RetryableError
from csms_kernel.projecting.projection import NoState, Projection
from csms_kernel.projecting.runner import ProjectionRunner
from csms_kernel.projecting.writes import Write
from kit.waiting import wait_until

TOPIC = "test.frames"
FAST = Backoff(initial_s=0.0001, maximum_s=0.0001)
TP = TopicPartition(TOPIC, 0)


def station_writes(events: Sequence[envelope_pb2.Envelope], state: object) -> list[Write]:
    return [Write("W {ks}", (event.station_id, state)) for event in events]


PROJECTION = Projection[envelope_pb2.Envelope, object](
    name="test.projector.stations",
    event_types={TOPIC: envelope_pb2.Envelope},
    keyspace="ks",
    tables=("t",),
    writes=station_writes,
)


def record(offset: int, value: bytes) -> ConsumerRecord[bytes, bytes]:
    return ConsumerRecord(TOPIC, 0, offset, 0, 0, b"k", value, None, 1, len(value), [])


def station(station_id: str) -> bytes:
    return envelope_pb2.Envelope(station_id=station_id).SerializeToString()


@dataclass
class Log:
    steps: list[tuple[str, object]] = field(default_factory=list)


@dataclass
class Consumer:
    """Hands out the batches, then cancels the runner."""

    log: Log
    batches: list[list[ConsumerRecord[bytes, bytes]]]
    commit_errors: list[Exception] = field(default_factory=list)

    async def getmany(
        self, timeout_ms: int, max_records: int
    ) -> dict[TopicPartition, list[ConsumerRecord[bytes, bytes]]]:
        if not self.batches:
            raise asyncio.CancelledError
        return {TP: self.batches.pop(0)}

    async def commit(self, offsets: dict[TopicPartition, int]) -> None:
        if self.commit_errors:
            raise self.commit_errors.pop(0)
        self.log.steps.append(("commit", offsets))

    def assignment(self) -> set[TopicPartition]:
        return set()


@dataclass
class Writer:
    """Fails for station "BAD" (with `error`), and `transient` times for any batch first."""

    log: Log
    error: Exception = field(default_factory=lambda: ValueError("bad row"))
    transient: int = 0

    async def apply(self, writes: Sequence[Write]) -> None:
        if self.transient:
            self.transient -= 1
            raise RetryableError("store unavailable")
        if any(write.params[0] == "BAD" for write in writes):
            raise self.error
        self.log.steps.append(("write", list(writes)))


@dataclass
class DeadLetter:
    parked: list[tuple[bytes | None, dict[str, bytes]]] = field(default_factory=list)

    async def send_and_wait(
        self, topic: str, value: bytes | None, key: bytes | None, headers: list[tuple[str, bytes]]
    ) -> None:
        assert topic == "csms.dead_letter.v1"
        self.parked.append((value, dict(headers)))


@dataclass
class State:
    log: Log

    async def read(self, events: Sequence[envelope_pb2.Envelope]) -> object:
        self.log.steps.append(("read", [event.station_id for event in events]))
        return "state"

    def applied(self, events: Sequence[envelope_pb2.Envelope], state: object) -> None:
        self.log.steps.append(("applied", state))


@dataclass
class Policy:
    log: Log

    async def after_writes(self, events: Sequence[envelope_pb2.Envelope], state: object) -> None:
        self.log.steps.append(("policy", [event.station_id for event in events]))


async def run(
    batches: list[list[ConsumerRecord[bytes, bytes]]],
    writer: Writer,
    log: Log,
    commit_errors: list[Exception] | None = None,
) -> DeadLetter:
    dead_letter = DeadLetter()
    runner = ProjectionRunner(
        projection=PROJECTION,
        consumer=Consumer(log, batches, commit_errors or []),  # type: ignore[arg-type]
        writer=writer,
        state=NoState(),  # type: ignore[arg-type]
        dead_letter=dead_letter,  # type: ignore[arg-type]
        backoff=FAST,
        readiness=Readiness(),
    )
    with pytest.raises(asyncio.CancelledError):
        await runner.run()
    return dead_letter


def source(offset: int) -> dict[str, bytes]:
    return {"source_topic": TOPIC.encode(), "source_partition": b"0", "source_offset": str(offset).encode()}


async def test_an_undecodable_record_is_parked_at_once_with_the_reason_and_the_others_applied() -> None:
    log = Log()
    dead_letter = await run(
        [[record(0, station("CS-1")), record(1, b"\xff\xff"), record(2, station("CS-2"))]], Writer(log), log
    )
    [(value, headers)] = dead_letter.parked
    assert value == b"\xff\xff"
    assert (
        headers.pop("reason")
        .decode()
        .startswith("test.projector.stations: UndecodableRecordError: undecodable Envelope at test.frames[0]@1: ")
    )
    assert headers == source(1)
    assert log.steps == [
        ("write", [Write("W {ks}", ("CS-1", None)), Write("W {ks}", ("CS-2", None))]),
        ("commit", {TP: 3}),
    ]


async def test_a_failing_record_is_retried_then_parked_and_the_rest_of_its_batch_applied() -> None:
    log = Log()
    dead_letter = await run([[record(0, station("CS-1")), record(1, station("BAD"))]], Writer(log), log)
    assert dead_letter.parked == [
        (station("BAD"), {**source(1), "reason": b"test.projector.stations: ValueError: bad row"})
    ]
    assert log.steps == [("write", [Write("W {ks}", ("CS-1", None))]), ("commit", {TP: 2})]


async def test_transient_errors_are_retried_until_they_pass_and_nothing_is_parked() -> None:
    log = Log()
    dead_letter = await run([[record(0, station("CS-1"))]], Writer(log, transient=5), log)
    assert dead_letter.parked == []
    assert log.steps == [("write", [Write("W {ks}", ("CS-1", None))]), ("commit", {TP: 1})]


@pytest.mark.parametrize(
    "refusal",
    [CommitFailedError("rebalanced"), IllegalStateError("TopicPartition(topic='t', partition=0) is not assigned")],
)
async def test_a_commit_refused_after_a_rebalance_is_left_to_the_new_owner(refusal: Exception) -> None:
    """Partitions revoked while a batch was applied: their commit is refused, for good; the runner goes on with
    the next batch instead of retrying it (the new owner re-applies the records, idempotently)."""
    log = Log()
    await run([[record(0, station("CS-1"))], [record(1, station("CS-2"))]], Writer(log), log, [refusal])
    assert log.steps == [
        ("write", [Write("W {ks}", ("CS-1", None))]),
        ("write", [Write("W {ks}", ("CS-2", None))]),
        ("commit", {TP: 2}),
    ]


async def test_state_is_read_before_the_writes_policies_run_after_them_and_positions_are_committed_last() -> None:
    log = Log()
    runner = ProjectionRunner(
        projection=PROJECTION,
        consumer=Consumer(log, [[record(0, station("CS-1"))], [record(1, station("CS-2"))]]),  # type: ignore[arg-type]
        writer=Writer(log),
        state=State(log),
        dead_letter=DeadLetter(),  # type: ignore[arg-type]
        policies=[Policy(log)],
        backoff=FAST,
        readiness=Readiness(),
    )
    with pytest.raises(asyncio.CancelledError):
        await runner.run()
    assert log.steps == [
        ("read", ["CS-1"]),
        ("write", [Write("W {ks}", ("CS-1", "state"))]),
        ("applied", "state"),
        ("policy", ["CS-1"]),
        ("commit", {TP: 1}),
        ("read", ["CS-2"]),
        ("write", [Write("W {ks}", ("CS-2", "state"))]),
        ("applied", "state"),
        ("policy", ["CS-2"]),
        ("commit", {TP: 2}),
    ]


async def test_a_failing_policy_fails_the_batch_so_nothing_is_committed_before_it_passed() -> None:
    log = Log()

    @dataclass
    class FlakyPolicy:
        failures: int = 1

        async def after_writes(self, events: Sequence[envelope_pb2.Envelope], state: object) -> None:
            if self.failures:
                self.failures -= 1
                raise RetryableError("broker unavailable")
            log.steps.append(("policy", [event.station_id for event in events]))

    runner = ProjectionRunner(
        projection=PROJECTION,
        consumer=Consumer(log, [[record(0, station("CS-1"))]]),  # type: ignore[arg-type]
        writer=Writer(log),
        state=NoState(),  # type: ignore[arg-type]
        dead_letter=DeadLetter(),  # type: ignore[arg-type]
        policies=[FlakyPolicy()],
        backoff=FAST,
        readiness=Readiness(),
    )
    with pytest.raises(asyncio.CancelledError):
        await runner.run()
    written = ("write", [Write("W {ks}", ("CS-1", None))])
    assert log.steps == [written, written, ("policy", ["CS-1"]), ("commit", {TP: 1})]


async def test_a_systematic_error_halts_the_projection_instead_of_parking_the_stream() -> None:
    """Security review #16: every record fails the same way (a schema drift): three are parked, then the
    projection stays on the fourth, commits nothing and reports NOT_SERVING until the error is gone."""
    log = Log()

    @dataclass
    class DriftedWriter:
        broken: bool = True
        calls: int = 0

        async def apply(self, writes: Sequence[Write]) -> None:
            self.calls += 1
            if self.broken:
                raise ValueError("unknown column")
            log.steps.append(("write", list(writes)))

    writer = DriftedWriter()
    readiness = Readiness()
    dead_letter = DeadLetter()
    runner = ProjectionRunner(
        projection=PROJECTION,
        consumer=Consumer(log, [[record(offset, station(f"CS-{offset}")) for offset in range(10)]]),  # type: ignore[arg-type]
        writer=writer,  # type: ignore[arg-type]
        state=NoState(),  # type: ignore[arg-type]
        dead_letter=dead_letter,  # type: ignore[arg-type]
        backoff=FAST,
        halted_backoff=Backoff(initial_s=0.001, maximum_s=0.001),
        readiness=readiness,
    )
    task = asyncio.create_task(runner.run())
    await wait_until(lambda: not readiness.serving)
    calls = writer.calls
    await wait_until(lambda: writer.calls > calls + 5)  # it keeps trying the same record
    assert len(dead_letter.parked) == 3
    assert [value for value, _ in dead_letter.parked] == [station(f"CS-{offset}") for offset in range(3)]
    assert log.steps == []  # nothing applied, nothing committed
    [reason] = readiness.failing_components.values()
    assert reason.startswith("halted at test.frames[0]@3 after 3 records parked in a row: ValueError: unknown column")

    writer.broken = False  # the fix is deployed (or the dependency recovered)
    with pytest.raises(asyncio.CancelledError):
        await task
    assert readiness.serving
    assert len(dead_letter.parked) == 3
    assert log.steps[-1] == ("commit", {TP: 10})
    assert [write.params[0] for step in log.steps[:-1] for write in step[1]] == [f"CS-{i}" for i in range(3, 10)]


async def test_a_bad_record_between_good_ones_is_parked_and_does_not_count_towards_halting() -> None:
    log = Log()
    batch = [record(i, station("BAD" if i % 2 else f"CS-{i}")) for i in range(10)]
    dead_letter = await run([batch], Writer(log), log)
    assert len(dead_letter.parked) == 5
