"""Prometheus metrics: bounded labels, consumer lag from a consumer's offsets, the /metrics endpoint."""

from __future__ import annotations

import contextlib
import socket
import urllib.request
from collections.abc import Iterator

import pytest
from aiokafka import TopicPartition
from aiokafka.errors import IllegalStateError
from prometheus_client import REGISTRY

from csms_kernel.infra import lifecycle
from csms_kernel.infra.settings import CommonSettings
from csms_kernel.ocpp.framing import MessageType
from csms_kernel.telemetry import installed, metrics

FRAMES = "ocpp.frames.v1"
P0, P1 = TopicPartition(FRAMES, 0), TopicPartition(FRAMES, 1)


def sample(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_actions_outside_the_ocpp_schemas_are_other() -> None:
    assert metrics.action_label("BootNotification") == "BootNotification"
    assert metrics.action_label("TransactionEvent") == "TransactionEvent"  # 2.x only
    assert metrics.action_label("StartTransaction") == "StartTransaction"  # 1.6 only
    assert metrics.action_label("NotifyPeriodicEventStream") == "NotifyPeriodicEventStream"  # 2.1 only
    assert metrics.action_label("BootNotificationResponse") == "other"
    assert metrics.action_label("x" * 500) == "other"
    assert metrics.action_label("") == "other"


def test_type_labels() -> None:
    assert metrics.type_label(MessageType.CALL_RESULT) == "call_result"
    assert metrics.type_label(None) == "malformed"


def test_frames_are_counted_per_direction_type_and_action() -> None:
    labels = {"direction": "in", "type": "call", "action": "Heartbeat"}
    before = sample("csms_ocpp_frames_total", **labels)
    other_before = sample("csms_ocpp_frames_total", direction="in", type="call", action="other")
    metrics.count_frame(metrics.IN, "call", "Heartbeat")
    metrics.count_frame(metrics.IN, "call", "Heartbeat")
    metrics.count_frame(metrics.IN, "call", "NoSuchAction")
    assert sample("csms_ocpp_frames_total", **labels) == before + 2
    assert sample("csms_ocpp_frames_total", direction="in", type="call", action="other") == other_before + 1


def test_handler_and_round_trip_histograms() -> None:
    labels = {"service": "unit", "action": "Heartbeat", "outcome": "error"}
    metrics.observe_handler("unit", "Heartbeat", True, 0.003)
    assert sample("csms_handler_duration_seconds_count", **labels) == 1
    assert sample("csms_handler_duration_seconds_bucket", **labels, le="0.005") == 1
    assert sample("csms_handler_duration_seconds_bucket", **labels, le="0.0025") == 0
    before = sample("csms_edge_call_round_trip_seconds_sum", action="Authorize")
    metrics.observe_round_trip("Authorize", 0.25)
    assert sample("csms_edge_call_round_trip_seconds_sum", action="Authorize") == pytest.approx(before + 0.25)


class FakeConsumer:
    def __init__(self) -> None:
        self.assigned: set[TopicPartition] = {P0, P1}
        self.highwaters: dict[TopicPartition, int | None] = {P0: 120, P1: None}
        self.stable: dict[TopicPartition, int | None] = {P0: 110, P1: None}
        self.positions = {P0: 100, P1: 7}

    def assignment(self) -> set[TopicPartition]:
        return set(self.assigned)

    def highwater(self, partition: TopicPartition) -> int | None:
        return self.highwaters[partition]

    def last_stable_offset(self, partition: TopicPartition) -> int | None:
        return self.stable[partition]

    async def position(self, partition: TopicPartition) -> int:
        if partition not in self.assigned:
            raise IllegalStateError(f"{partition} is not assigned")
        return self.positions[partition]


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def lag(partition: TopicPartition, group: str = "unit.lag") -> float | None:
    return REGISTRY.get_sample_value(
        "csms_kafka_consumer_lag", {"group": group, "topic": partition.topic, "partition": str(partition.partition)}
    )


async def test_consumer_lag_per_partition_at_most_once_per_interval() -> None:
    consumer, clock = FakeConsumer(), Clock()
    tracker = metrics.ConsumerLag(consumer, "unit.lag", interval_s=1.0, clock=clock)
    await tracker.update()
    assert lag(P0) == 10  # last stable offset (read_committed) minus position
    assert lag(P1) is None  # nothing fetched yet: no series

    consumer.positions[P0] = 110
    clock.now += 0.5
    await tracker.update()
    assert lag(P0) == 10  # not yet due

    clock.now += 0.5
    await tracker.update()
    assert lag(P0) == 0


async def test_read_uncommitted_lag_uses_the_highwater_and_revoked_partitions_vanish() -> None:
    consumer, clock = FakeConsumer(), Clock()
    consumer.stable = {P0: -1, P1: -1}
    consumer.highwaters[P1] = 9
    tracker = metrics.ConsumerLag(consumer, "unit.revoked", clock=clock)
    await tracker.update()
    assert (lag(P0, "unit.revoked"), lag(P1, "unit.revoked")) == (20, 2)

    consumer.assigned = {P1}
    clock.now += 5
    await tracker.update()
    assert (lag(P0, "unit.revoked"), lag(P1, "unit.revoked")) == (None, 2)


async def test_a_partition_lost_mid_update_does_not_fail_the_consume_loop() -> None:
    consumer = FakeConsumer()
    consumer.positions = {}  # position() raises KeyError: the update gives up until the next interval
    await metrics.ConsumerLag(consumer, "unit.lost").update()
    assert lag(P0, "unit.lost") is None


def scrape(port: int) -> str:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5) as response:
        return str(response.read().decode())


def test_installed_serves_metrics_until_it_ends(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OTEL_EXPORTER_OTLP_ENDPOINT", raising=False)
    monkeypatch.delenv("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", raising=False)
    port = free_port()
    with installed("unit", port, metrics_host="127.0.0.1"):
        text = scrape(port)
        assert "# TYPE csms_edge_connections gauge" in text
        assert "# TYPE csms_handler_duration_seconds histogram" in text
    with pytest.raises(OSError):
        scrape(port)


def test_the_metrics_endpoint_listens_on_loopback_unless_configured(monkeypatch: pytest.MonkeyPatch) -> None:
    """Finding #12 of the 2026-12 security review: /metrics bound 0.0.0.0 with no setting."""
    monkeypatch.delenv("CSMS_METRICS_HOST", raising=False)
    assert CommonSettings().metrics_host == "127.0.0.1"
    monkeypatch.setenv("CSMS_METRICS_HOST", "0.0.0.0")
    assert CommonSettings().metrics_host == "0.0.0.0"
    server = metrics.serve(free_port(), "127.0.0.1")
    try:
        assert server.server_address[0] == "127.0.0.1"
    finally:
        server.shutdown()
        server.server_close()


def test_every_process_serves_metrics_on_its_configured_host(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[tuple[int, str]] = []

    @contextlib.contextmanager
    def recording(service: str, metrics_port: int, *, metrics_host: str, instance_id: str = "") -> Iterator[None]:
        seen.append((metrics_port, metrics_host))
        yield

    monkeypatch.setattr(lifecycle, "installed", recording)
    monkeypatch.setattr(lifecycle, "run_until_signalled", lambda run: None)
    monkeypatch.setattr(lifecycle, "configure_logging", lambda level: None)
    lifecycle.main("unit", CommonSettings(metrics_port=9100, metrics_host="10.1.2.3"), lambda s: None, instance_id="i")
    assert seen == [(9100, "10.1.2.3")]
