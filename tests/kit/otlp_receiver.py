"""A small OTLP trace receiver for tests: a grpc.aio server implementing the collector's TraceService that
keeps every span it is sent, with its process's `service.name`. Point processes at `endpoint` with
`OTEL_EXPORTER_OTLP_ENDPOINT` and `OTEL_EXPORTER_OTLP_PROTOCOL=grpc`.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Any

import grpc
from opentelemetry.proto.collector.trace.v1 import trace_service_pb2, trace_service_pb2_grpc
from opentelemetry.proto.common.v1 import common_pb2
from opentelemetry.proto.trace.v1 import trace_pb2

SERVER = trace_pb2.Span.SPAN_KIND_SERVER
CLIENT = trace_pb2.Span.SPAN_KIND_CLIENT
PRODUCER = trace_pb2.Span.SPAN_KIND_PRODUCER
CONSUMER = trace_pb2.Span.SPAN_KIND_CONSUMER


@dataclass(frozen=True)
class ReceivedSpan:
    service: str
    name: str
    kind: int
    trace_id: str
    span_id: str
    parent_span_id: str
    attributes: dict[str, Any]
    links: tuple[tuple[str, str], ...]
    start_ns: int
    end_ns: int

    def is_child_of(self, parent: ReceivedSpan) -> bool:
        return self.trace_id == parent.trace_id and self.parent_span_id == parent.span_id


def _value(value: common_pb2.AnyValue) -> Any:
    which = value.WhichOneof("value")
    return getattr(value, which) if which in ("string_value", "bool_value", "int_value", "double_value") else None


def _attributes(pairs: Any) -> dict[str, Any]:
    return {pair.key: _value(pair.value) for pair in pairs}


class OtlpReceiver(trace_service_pb2_grpc.TraceServiceServicer):
    def __init__(self) -> None:
        self.spans: list[ReceivedSpan] = []
        self.endpoint = ""

    async def Export(
        self, request: trace_service_pb2.ExportTraceServiceRequest, context: grpc.aio.ServicerContext[Any, Any]
    ) -> trace_service_pb2.ExportTraceServiceResponse:
        for resource_spans in request.resource_spans:
            service = str(_attributes(resource_spans.resource.attributes).get("service.name", ""))
            for scope_spans in resource_spans.scope_spans:
                self.spans.extend(self._span(service, span) for span in scope_spans.spans)
        return trace_service_pb2.ExportTraceServiceResponse()

    @staticmethod
    def _span(service: str, span: trace_pb2.Span) -> ReceivedSpan:
        return ReceivedSpan(
            service=service,
            name=span.name,
            kind=span.kind,
            trace_id=span.trace_id.hex(),
            span_id=span.span_id.hex(),
            parent_span_id=span.parent_span_id.hex(),
            attributes=_attributes(span.attributes),
            links=tuple((link.trace_id.hex(), link.span_id.hex()) for link in span.links),
            start_ns=span.start_time_unix_nano,
            end_ns=span.end_time_unix_nano,
        )

    def matching(self, predicate: Callable[[ReceivedSpan], bool]) -> list[ReceivedSpan]:
        return [span for span in self.spans if predicate(span)]


@contextlib.asynccontextmanager
async def otlp_receiver(host: str = "127.0.0.1") -> AsyncIterator[OtlpReceiver]:
    """A running receiver on a free port; stopped on exit."""
    receiver = OtlpReceiver()
    server = grpc.aio.server()
    trace_service_pb2_grpc.add_TraceServiceServicer_to_server(receiver, server)
    port = server.add_insecure_port(f"{host}:0")
    receiver.endpoint = f"http://{host}:{port}"
    await server.start()
    try:
        yield receiver
    finally:
        await server.stop(None)
