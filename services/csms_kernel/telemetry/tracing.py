"""OpenTelemetry spans on the OCPP path and W3C trace context in envelopes and Kafka headers.

Tracing is on only once `configure` found an exporter in the standard `OTEL_*` variables (`exporter_from_env`);
until then every helper takes a fast path (`span()` hands out one shared no-op context manager,
`current_traceparent()` returns ""), so a process without a collector pays next to nothing. `configure` also
instruments every grpc.aio server and channel and every FastAPI app created afterwards
(opentelemetry-instrumentation-grpc, -fastapi; the probes /healthz and /readyz are not traced).
Side effects of `configure`: a global tracer provider and a batch span processor thread.
"""

from __future__ import annotations

import contextlib
import itertools
import logging
import os
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any

from opentelemetry import trace
from opentelemetry.context import Context
from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor
from opentelemetry.instrumentation.grpc import GrpcAioInstrumentorClient, GrpcAioInstrumentorServer, filters
from opentelemetry.sdk.resources import SERVICE_INSTANCE_ID, SERVICE_NAME, Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor, ConsoleSpanExporter, SpanExporter
from opentelemetry.trace import INVALID_SPAN, Link, Span, SpanKind, Status, StatusCode
from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator

log = logging.getLogger(__name__)

STATION_ID = "ocpp.station_id"
ACTION = "ocpp.action"
MESSAGE_ID = "ocpp.message_id"
VERSION = "ocpp.version"

RECEIVE = "ocpp.receive"
"""The edge read a frame from a station's socket (and appended it to the frame log)."""
SEND = "ocpp.send"
"""The edge wrote a frame to a station's socket."""
HANDLE = "ocpp.handle"
"""A service answered a station's CALL from the frame log."""

TRACEPARENT = "traceparent"
MAX_LINKS = 128
"""Links per batch span (the SDK's default limit); further records of a batch are not linked."""

_PROPAGATOR = TraceContextTextMapPropagator()
_tracer: trace.Tracer | None = None

Headers = Sequence[tuple[str, bytes]]


class _NoSpan:
    """What `span()` returns while tracing is off: enters as the invalid span, records nothing."""

    __slots__ = ()

    def __enter__(self) -> Span:
        return INVALID_SPAN

    def __exit__(self, *exc_info: object) -> None:
        return None


_NO_SPAN = _NoSpan()


def exporter_from_env(env: Mapping[str, str]) -> SpanExporter | None:
    """The span exporter the standard variables ask for, or None (tracing off).

    `OTEL_SDK_DISABLED=true` or `OTEL_TRACES_EXPORTER=none` → off; `console` → stdout; `otlp` (the default) →
    OTLP over `OTEL_EXPORTER_OTLP[_TRACES]_PROTOCOL` (`http/protobuf`, the default, or `grpc`), but only when
    `OTEL_EXPORTER_OTLP[_TRACES]_ENDPOINT` is set: unlike the SDK default, no endpoint means no export.
    The exporters read their other variables (headers, timeout, compression, certificates) themselves.
    """
    if env.get("OTEL_SDK_DISABLED", "").strip().lower() == "true":
        return None
    name = env.get("OTEL_TRACES_EXPORTER", "otlp").strip().lower() or "otlp"
    if name == "none":
        return None
    if name == "console":
        return ConsoleSpanExporter()
    if name != "otlp":
        raise ValueError(f"OTEL_TRACES_EXPORTER={name!r} is not supported (otlp, console or none)")
    if not (env.get("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT") or env.get("OTEL_EXPORTER_OTLP_ENDPOINT")):
        return None
    protocol = (
        env.get("OTEL_EXPORTER_OTLP_TRACES_PROTOCOL") or env.get("OTEL_EXPORTER_OTLP_PROTOCOL") or "http/protobuf"
    )
    if protocol == "grpc":
        from opentelemetry.exporter.otlp.proto.grpc.trace_exporter import OTLPSpanExporter as GrpcExporter

        return GrpcExporter()
    if protocol == "http/protobuf":
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter as HttpExporter

        return HttpExporter()
    raise ValueError(f"OTLP protocol {protocol!r} is not supported (grpc or http/protobuf)")


def configure(service: str, instance_id: str) -> TracerProvider | None:
    """Turns tracing on when the environment names an exporter; returns the provider to shut down at exit."""
    exporter = exporter_from_env(os.environ)
    if exporter is None:
        log.info("tracing off (no OTLP endpoint, or OTEL_TRACES_EXPORTER=none)")
        return None
    attributes: dict[str, str] = {SERVICE_INSTANCE_ID: instance_id}
    if not os.environ.get("OTEL_SERVICE_NAME"):
        attributes[SERVICE_NAME] = f"csms-{service}"
    provider = TracerProvider(resource=Resource.create(attributes))
    provider.add_span_processor(BatchSpanProcessor(exporter))
    trace.set_tracer_provider(provider)
    use(provider)
    traced_calls = filters.negate(filters.health_check())
    GrpcAioInstrumentorServer(filter_=traced_calls).instrument(tracer_provider=provider)  # type: ignore[no-untyped-call]
    GrpcAioInstrumentorClient(filter_=traced_calls).instrument(tracer_provider=provider)  # type: ignore[no-untyped-call]
    FastAPIInstrumentor().instrument(tracer_provider=provider, excluded_urls="/healthz,/readyz")
    log.info("tracing on: %s", type(exporter).__name__)
    return provider


def use(provider: trace.TracerProvider | None) -> None:
    """Spans go to `provider` from now on; None turns tracing off (tests use this with an in-memory exporter)."""
    global _tracer
    _tracer = provider.get_tracer("csms") if provider is not None else None


def span(
    name: str,
    kind: SpanKind = SpanKind.INTERNAL,
    *,
    parent: str = "",
    attributes: Mapping[str, Any] | None = None,
    start_time: int | None = None,
    linked: Iterable[str] = (),
) -> contextlib.AbstractContextManager[Span]:
    """A span made current for the block. `parent` is a W3C traceparent (none: the current context);
    `linked` are traceparents of the records a batch span covers (read only when tracing is on)."""
    tracer = _tracer
    if tracer is None:
        return _NO_SPAN
    return tracer.start_as_current_span(
        name,
        context=_context(parent) if parent else None,
        kind=kind,
        attributes=attributes,
        start_time=start_time,
        links=_links(linked),
    )


def ocpp_span(
    name: str,
    kind: SpanKind,
    station_id: str,
    action: str,
    message_id: str,
    version: str,
    *,
    parent: str = "",
    start_time: int | None = None,
) -> contextlib.AbstractContextManager[Span]:
    """A span about one OCPP frame, with the `ocpp.*` attributes (built only when tracing is on)."""
    if _tracer is None:
        return _NO_SPAN
    attributes = {STATION_ID: station_id, ACTION: action, MESSAGE_ID: message_id, VERSION: version}
    return span(name, kind, parent=parent, attributes=attributes, start_time=start_time)


@contextlib.contextmanager
def publish_spans(messages: Iterable[tuple[str, str]]) -> Iterator[None]:
    """One PRODUCER span per (topic, traceparent) message that has a trace context, from now until the block
    ends (the records are durable, e.g. their transaction committed). `messages` is read only when tracing is on."""
    tracer = _tracer
    if tracer is None:
        yield
        return
    spans = [
        tracer.start_span(
            f"publish {topic}",
            _context(traceparent),
            SpanKind.PRODUCER,
            {"messaging.system": "kafka", "messaging.destination.name": topic},
        )
        for topic, traceparent in messages
        if traceparent
    ]
    try:
        yield
    except BaseException as exc:
        for one in spans:
            one.record_exception(exc)
            one.set_status(Status(StatusCode.ERROR, type(exc).__name__))
        raise
    finally:
        for one in spans:
            one.end()


def current_traceparent() -> str:
    """The W3C traceparent of the current span ("" when tracing is off or no span is current)."""
    if _tracer is None:
        return ""
    context = trace.get_current_span().get_span_context()
    if not context.is_valid:
        return ""
    # What TraceContextTextMapPropagator.inject writes (W3C version 00), at a third of its cost.
    return f"00-{context.trace_id:032x}-{context.span_id:016x}-{context.trace_flags:02x}"


def header_value(headers: Headers, name: str = TRACEPARENT) -> str:
    """A Kafka header's value as text ("" if absent)."""
    for key, value in headers:
        if key == name:
            return value.decode("latin-1")
    return ""


def _context(traceparent: str) -> Context:
    return _PROPAGATOR.extract({TRACEPARENT: traceparent})


def _links(traceparents: Iterable[str]) -> list[Link]:
    links = []
    for traceparent in itertools.islice(traceparents, MAX_LINKS):
        if not traceparent:
            continue
        linked = trace.get_current_span(_context(traceparent)).get_span_context()
        if linked.is_valid:
            links.append(Link(linked))
    return links
