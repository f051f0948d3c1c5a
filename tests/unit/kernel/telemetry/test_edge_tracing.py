"""The edge's spans and metrics with in-memory fakes: `ocpp.receive` around each frame read (its context goes
into the envelope), `ocpp.send` for replies (child of the reply's context) and CALLs, the answer to a
CSMS-initiated CALL in that CALL's trace, the connections gauge."""

from __future__ import annotations

import asyncio

from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind
from prometheus_client import REGISTRY

from csms.envelope.v1 import envelope_pb2
from csms_edge.adapters.delivery import DeliveryHandler
from csms_edge.app.connections import Connection, ConnectionTable
from csms_edge.app.session import Session, SessionContext
from csms_edge.domain.envelopes import EnvelopeFactory, timestamp
from csms_kernel.ocpp.versions import OcppVersion
from kit.builders.envelopes import frame_envelope
from kit.fakes.edge import EDGE_ADDRESS, T0_NS, FakeFrameLog, FakeSocket, FixedClock
from kit.waiting import wait_until

HANDLER_TRACE = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"


class Edge:
    """The edge's collaborators with the real trace-context default of the envelope factory."""

    def __init__(self) -> None:
        self.frame_log = FakeFrameLog()
        self.table = ConnectionTable()
        self.envelopes = EnvelopeFactory("edge-1", "acme", clock_ns=FixedClock())
        self.context = SessionContext(self.table, self.frame_log, self.envelopes, EDGE_ADDRESS)
        self.socket = FakeSocket()
        self.connection = Connection("CS-1", "c0ffee", OcppVersion.V201, self.socket)
        self.table.register(self.connection)
        self.session = Session(self.connection, self.context)


def traceparent_of(span: ReadableSpan) -> str:
    context = span.get_span_context()
    return f"00-{context.trace_id:032x}-{context.span_id:016x}-{context.trace_flags:02x}"


def attributes(span: ReadableSpan) -> dict[str, object]:
    return dict(span.attributes or {})


def frames(direction: str, type_: str, action: str) -> float:
    labels = {"direction": direction, "type": type_, "action": action}
    return REGISTRY.get_sample_value("csms_ocpp_frames_total", labels) or 0.0


async def test_a_received_call_is_one_receive_span_whose_context_the_envelope_carries(
    spans: InMemorySpanExporter,
) -> None:
    edge = Edge()
    before = frames("in", "call", "Heartbeat")
    await edge.session.handle('[2, "m1", "Heartbeat", {}]')
    (span,) = spans.get_finished_spans()
    assert (span.name, span.kind, span.parent, span.start_time) == ("ocpp.receive", SpanKind.SERVER, None, T0_NS)
    assert attributes(span) == {
        "ocpp.station_id": "CS-1",
        "ocpp.action": "Heartbeat",
        "ocpp.message_id": "m1",
        "ocpp.version": "ocpp2.0.1",
    }
    assert edge.frame_log.records[0].traceparent == traceparent_of(span)
    assert frames("in", "call", "Heartbeat") == before + 1


async def test_a_malformed_frame_and_its_callerror_share_the_receive_span(spans: InMemorySpanExporter) -> None:
    edge = Edge()
    before = frames("out", "call_error", "other")
    await edge.session.handle("not json")
    (span,) = spans.get_finished_spans()
    assert attributes(span)["ocpp.message_id"] == "-1"
    assert [record.traceparent for record in edge.frame_log.records] == [traceparent_of(span)] * 2
    assert frames("out", "call_error", "other") == before + 1


async def test_the_answer_to_a_csms_call_continues_that_calls_trace(spans: InMemorySpanExporter) -> None:
    edge = Edge()
    pipe = edge.connection.outbound(16)

    async def send() -> None:
        pass

    call = asyncio.create_task(pipe.call("m9", "Reset", 5, send, traceparent=HANDLER_TRACE))
    await wait_until(lambda: pipe.outstanding_message_id == "m9")
    await edge.session.handle('[3, "m9", {"status": "Accepted"}]')
    await call
    (span,) = spans.get_finished_spans()
    assert span.parent is not None and f"{span.parent.span_id:016x}" == HANDLER_TRACE.split("-")[2]
    assert attributes(span)["ocpp.action"] == "Reset"


async def test_a_delivered_reply_is_a_send_span_under_the_handlers_span(spans: InMemorySpanExporter) -> None:
    edge = Edge()
    reply = frame_envelope(
        '[3,"m1",{"status":"Accepted"}]',
        envelope_pb2.MESSAGE_TYPE_CALL_RESULT,
        action="BootNotification",
        edge_node_id="",
        received_at=timestamp(T0_NS - 40_000_000),
        traceparent=HANDLER_TRACE,
    )
    rtt_before = REGISTRY.get_sample_value("csms_edge_call_round_trip_seconds_count", {"action": "BootNotification"})
    out_before = frames("out", "call_result", "BootNotification")
    handler = DeliveryHandler(edge.table, edge.frame_log, edge.envelopes, send_timeout_s=1)
    handler.deliver([reply.SerializeToString()])
    await handler.flush()
    assert edge.socket.sent == ['[3,"m1",{"status":"Accepted"}]']
    (span,) = spans.get_finished_spans()
    assert (span.name, span.kind) == ("ocpp.send", SpanKind.PRODUCER)
    assert f"{span.get_span_context().trace_id:032x}" == HANDLER_TRACE.split("-")[1]
    assert span.parent is not None and f"{span.parent.span_id:016x}" == HANDLER_TRACE.split("-")[2]
    assert attributes(span)["ocpp.message_id"] == "m1"
    assert frames("out", "call_result", "BootNotification") == out_before + 1
    rtt_after = REGISTRY.get_sample_value("csms_edge_call_round_trip_seconds_count", {"action": "BootNotification"})
    assert rtt_after == (rtt_before or 0) + 1


async def test_without_tracing_every_frame_still_gets_a_fresh_trace_id() -> None:
    edge = Edge()
    await edge.session.handle('[2, "m1", "Heartbeat", {}]')
    await edge.session.handle('[2, "m2", "Heartbeat", {}]')
    first, second = (record.traceparent for record in edge.frame_log.records)
    assert first.startswith("00-") and first.endswith("-01") and len(first) == 55
    assert first.split("-")[1] != second.split("-")[1]


def test_the_connections_gauge_follows_the_table() -> None:
    def open_connections() -> float:
        return REGISTRY.get_sample_value("csms_edge_connections") or 0.0

    before = open_connections()
    table = ConnectionTable()
    first = Connection("CS-G", "a", OcppVersion.V16, FakeSocket())
    table.register(first)
    assert open_connections() == before + 1
    table.unregister(first)
    assert open_connections() == before
