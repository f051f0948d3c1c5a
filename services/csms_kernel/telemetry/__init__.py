"""Process telemetry (docs/adr/0010-observability.md): OpenTelemetry traces configured by the standard
`OTEL_*` variables (`tracing`) and Prometheus metrics on `CSMS_METRICS_HOST`:`CSMS_METRICS_PORT` (`metrics`).

`installed()` is the one set-up call of a process (each bootstrap's `main()`): tracing on when an exporter is
configured, the /metrics server when the port is not 0; on exit it stops the server and flushes pending spans.
"""

from __future__ import annotations

import contextlib
import os
import socket
from collections.abc import Iterator

from csms_kernel.telemetry import metrics, tracing


@contextlib.contextmanager
def installed(service: str, metrics_port: int, *, metrics_host: str, instance_id: str = "") -> Iterator[None]:
    provider = tracing.configure(service, instance_id or f"{socket.gethostname()}-{os.getpid()}")
    server = metrics.serve(metrics_port, metrics_host) if metrics_port else None
    try:
        yield
    finally:
        if server is not None:
            server.shutdown()
            server.server_close()
        if provider is not None:
            provider.shutdown()
