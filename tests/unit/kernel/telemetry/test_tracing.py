"""Tracing helpers: exporter choice from OTEL_* variables, span parents from traceparents, publish spans,
batch links, and the no-op fast path while tracing is off."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from opentelemetry.exporter.otlp.proto.grpc.trace_exporter import OTLPSpanExporter as GrpcExporter
from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter as HttpExporter
from opentelemetry.sdk.trace.export import ConsoleSpanExporter
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import INVALID_SPAN, SpanKind, StatusCode

from csms_kernel.telemetry import tracing

TRACE_ID = 0x0AF7651916CD43DD8448EB211C80319C
SPAN_ID = 0xB7AD6B7169203331
PARENT = f"00-{TRACE_ID:032x}-{SPAN_ID:016x}-01"
OTHER = "00-11111111111111111111111111111111-2222222222222222-01"
ENDPOINT = {"OTEL_EXPORTER_OTLP_ENDPOINT": "http://collector:4317"}


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({}, None),
        ({"OTEL_TRACES_EXPORTER": "otlp"}, None),
        (ENDPOINT, HttpExporter),
        ({**ENDPOINT, "OTEL_EXPORTER_OTLP_PROTOCOL": "grpc"}, GrpcExporter),
        ({"OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": "http://c:4318/v1/traces"}, HttpExporter),
        ({**ENDPOINT, "OTEL_EXPORTER_OTLP_TRACES_PROTOCOL": "grpc", "OTEL_EXPORTER_OTLP_PROTOCOL": "x"}, GrpcExporter),
        ({**ENDPOINT, "OTEL_TRACES_EXPORTER": "none"}, None),
        ({**ENDPOINT, "OTEL_SDK_DISABLED": "true"}, None),
        ({"OTEL_TRACES_EXPORTER": "console"}, ConsoleSpanExporter),
    ],
)
def test_exporter_from_env(env: dict[str, str], expected: type | None) -> None:
    exporter = tracing.exporter_from_env(env)
    if expected is None:
        assert exporter is None
    else:
        assert isinstance(exporter, expected)
        exporter.shutdown()


@pytest.mark.parametrize(
    "env",
    [{"OTEL_TRACES_EXPORTER": "zipkin"}, {**ENDPOINT, "OTEL_EXPORTER_OTLP_PROTOCOL": "http/json"}],
)
def test_unsupported_exporters_are_refused(env: dict[str, str]) -> None:
    with pytest.raises(ValueError, match="not supported"):
        tracing.exporter_from_env(env)


def test_ocpp_span_continues_the_trace_of_its_traceparent(spans: InMemorySpanExporter) -> None:
    with tracing.ocpp_span(
        tracing.HANDLE, SpanKind.CONSUMER, "CS-1", "Heartbeat", "m1", "ocpp2.0.1", parent=PARENT, start_time=1000
    ):
        inner = tracing.current_traceparent()
    (span,) = spans.get_finished_spans()
    context = span.get_span_context()
    assert (span.name, span.kind, span.start_time) == (tracing.HANDLE, SpanKind.CONSUMER, 1000)
    assert context.trace_id == TRACE_ID
    assert span.parent is not None and span.parent.span_id == SPAN_ID and span.parent.is_remote
    assert dict(span.attributes or {}) == {
        "ocpp.station_id": "CS-1",
        "ocpp.action": "Heartbeat",
        "ocpp.message_id": "m1",
        "ocpp.version": "ocpp2.0.1",
    }
    assert inner == f"00-{TRACE_ID:032x}-{context.span_id:016x}-01"


def test_a_span_without_parent_starts_a_trace(spans: InMemorySpanExporter) -> None:
    with tracing.span("root"):
        pass
    (span,) = spans.get_finished_spans()
    assert span.parent is None and span.get_span_context().trace_id != TRACE_ID


def test_publish_spans_last_until_the_block_ends(spans: InMemorySpanExporter) -> None:
    with tracing.publish_spans([("ocpp.delivery.edge-1.v1", PARENT), ("csms.dead_letter.v1", "")]):
        assert spans.get_finished_spans() == ()
    (span,) = spans.get_finished_spans()  # the message without a trace context gets none
    assert (span.name, span.kind) == ("publish ocpp.delivery.edge-1.v1", SpanKind.PRODUCER)
    assert span.parent is not None and span.parent.span_id == SPAN_ID
    assert span.get_span_context().trace_id == TRACE_ID
    assert dict(span.attributes or {}) == {
        "messaging.system": "kafka",
        "messaging.destination.name": "ocpp.delivery.edge-1.v1",
    }


def test_publish_spans_record_a_failed_publication(spans: InMemorySpanExporter) -> None:
    with pytest.raises(TimeoutError), tracing.publish_spans([("t", PARENT)]):
        raise TimeoutError("broker gone")
    (span,) = spans.get_finished_spans()
    assert span.status.status_code is StatusCode.ERROR
    assert [event.name for event in span.events] == ["exception"]


def test_batch_span_links_the_records_traces(spans: InMemorySpanExporter) -> None:
    with tracing.span("apply p", SpanKind.CONSUMER, linked=[PARENT, "", "garbage", OTHER]):
        pass
    (span,) = spans.get_finished_spans()
    assert [(link.context.trace_id, link.context.span_id) for link in span.links] == [
        (TRACE_ID, SPAN_ID),
        (0x11111111111111111111111111111111, 0x2222222222222222),
    ]


def test_links_are_capped(spans: InMemorySpanExporter) -> None:
    with tracing.span("apply p", linked=[PARENT] * (tracing.MAX_LINKS + 50)):
        pass
    (span,) = spans.get_finished_spans()
    assert len(span.links) == tracing.MAX_LINKS


def test_header_value() -> None:
    headers = [("station_id", b"CS-1"), ("traceparent", PARENT.encode())]
    assert tracing.header_value(headers) == PARENT
    assert tracing.header_value(headers, "station_id") == "CS-1"
    assert tracing.header_value([]) == ""


class Unread:
    """Traceparents that must not be read while tracing is off."""

    def __iter__(self) -> Iterator[Any]:
        raise AssertionError("read while tracing is off")


def test_off_means_no_spans_and_no_context() -> None:
    with tracing.span("x", parent=PARENT, linked=Unread()) as span:
        assert span is INVALID_SPAN
        assert tracing.current_traceparent() == ""
    with tracing.ocpp_span(tracing.RECEIVE, SpanKind.SERVER, "CS-1", "Heartbeat", "m1", "ocpp1.6") as span:
        assert span is INVALID_SPAN
    with tracing.publish_spans(Unread()):
        pass
