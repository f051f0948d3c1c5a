"""The gRPC client channel every process opens to a service (and the keepalive its servers must allow).

A target names one instance or all of them: `host:port`, `ipv4:10.0.0.1:50051,10.0.0.2:50051` (each instance
listed; `csms stack --instances N` passes these) or `dns:///device-model.csms.svc.cluster.local:50051` (a
Kubernetes headless service: one address per ready pod). Channels use gRPC's client-side `round_robin`
policy: they connect to every address and send each call to the next ready one, so an instance that is down
is skipped once its connection fails. A frozen instance (SIGSTOP, a stalled VM) keeps its TCP connections,
because the kernel still acknowledges: a new connection to it never completes the HTTP/2 handshake, and an open
one is closed once a keepalive ping goes unanswered.

Every channel takes the process's `GrpcTls` (`CommonSettings.grpc_tls`): with it the channel speaks mutual TLS
with the internal CA (docs/adr/0029-internal-surface.md); None opens a plaintext channel (development only).
"""

from __future__ import annotations

import grpc

from csms_kernel.infra.grpc_tls import GrpcTls

KEEPALIVE_TIME_MS = 10_000
"""A channel pings each connection this often, idle or not."""
PING_TIMEOUT_MS = 5_000
"""A connection whose ping is unanswered this long is closed and its instance left out until it reconnects."""

CHANNEL_OPTIONS: tuple[tuple[str, int | str], ...] = (
    ("grpc.lb_policy_name", "round_robin"),
    ("grpc.keepalive_time_ms", KEEPALIVE_TIME_MS),
    ("grpc.keepalive_timeout_ms", PING_TIMEOUT_MS),
    ("grpc.keepalive_permit_without_calls", 1),
    ("grpc.http2.max_pings_without_data", 0),
    # Also bounds gRPC's own flow-control pings (default one minute): while one is unanswered, keepalive
    # sends no ping of its own.
    ("grpc.http2.ping_timeout_ms", PING_TIMEOUT_MS),
)

SERVER_OPTIONS: tuple[tuple[str, int], ...] = (
    # Without these a server answers pings more frequent than every 5 minutes, or on a connection without
    # calls, with GOAWAY ("too many pings").
    ("grpc.keepalive_permit_without_calls", 1),
    ("grpc.http2.min_ping_interval_without_data_ms", KEEPALIVE_TIME_MS // 2),
    # gRPC sets SO_REUSEPORT by default: a second server on a port in use would bind and silently take half of
    # its connections (calls answered UNIMPLEMENTED by the wrong service). Without it the bind fails loudly.
    ("grpc.so_reuseport", 0),
)


def channel(target: str, tls: GrpcTls | None) -> grpc.aio.Channel:
    """An asyncio channel to `target` (one address, or several instances spread by round robin)."""
    if tls is None:
        return grpc.aio.insecure_channel(target, options=CHANNEL_OPTIONS)
    return grpc.aio.secure_channel(target, tls.channel_credentials(), options=CHANNEL_OPTIONS + tls.channel_options())


def blocking_channel(target: str, tls: GrpcTls | None) -> grpc.Channel:
    """The blocking twin of `channel` (the CLI)."""
    if tls is None:
        return grpc.insecure_channel(target, options=CHANNEL_OPTIONS)
    return grpc.secure_channel(target, tls.channel_credentials(), options=CHANNEL_OPTIONS + tls.channel_options())
