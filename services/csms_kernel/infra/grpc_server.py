"""Builds a grpc.aio server with the standard health service and reflection registered, allowing the keepalive
pings of the kernel's client channels (`csms_kernel.clients.channels`). Health follows the process's readiness
(`csms_kernel.infra.health`): NOT_SERVING while a component cannot work. With the process's `GrpcTls` it serves
mutual TLS only and lets the registered services be called by the `clients` identities alone
(`csms_kernel.infra.grpc_tls.IdentityCheck`; health and reflection stay open to every internal identity);
without, it serves plaintext (development only, docs/adr/0029-internal-surface.md)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass, field

import grpc
from grpc_health.v1 import _async as health_aio
from grpc_health.v1 import health, health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection

from csms_kernel.clients.channels import SERVER_OPTIONS
from csms_kernel.infra.grpc_tls import GrpcTls, IdentityCheck
from csms_kernel.infra.health import READINESS, Readiness


@dataclass
class GrpcServer:
    server: grpc.aio.Server
    port: int
    health: health_aio.HealthServicer
    service_names: list[str]
    readiness: Readiness = READINESS
    tls: GrpcTls | None = None
    _updates: set[asyncio.Task[None]] = field(default_factory=set)
    _unsubscribe: list[Callable[[], None]] = field(default_factory=list)
    _loop: asyncio.AbstractEventLoop | None = None

    async def start(self) -> None:
        """Starts serving and reports the readiness (SERVING unless a component is failing) for the server and
        each registered service, then follows its changes."""
        await self.server.start()
        self._loop = asyncio.get_running_loop()
        await self._report(self.readiness.serving)
        self._unsubscribe.append(self.readiness.subscribe(self._changed))

    async def stop(self, grace: float = 5.0) -> None:
        for unsubscribe in self._unsubscribe:
            unsubscribe()
        self._unsubscribe.clear()
        await self.health.enter_graceful_shutdown()
        await self.server.stop(grace)

    def _changed(self, serving: bool) -> None:
        """Called wherever a component changes (the server's loop, a client library's thread): the report runs on
        the server's loop."""
        if self._loop is not None and not self._loop.is_closed():
            self._loop.call_soon_threadsafe(self._schedule, serving)

    def _schedule(self, serving: bool) -> None:
        task = asyncio.get_running_loop().create_task(self._report(serving))
        self._updates.add(task)
        task.add_done_callback(self._updates.discard)

    async def _report(self, serving: bool) -> None:
        status = health_pb2.HealthCheckResponse.SERVING if serving else health_pb2.HealthCheckResponse.NOT_SERVING
        for name in ["", *self.service_names]:
            await self.health.set(name, status)


def build_server(
    address: str,
    registrations: Iterable[tuple[Callable[[grpc.aio.Server], None], str]],
    tls: GrpcTls | None,
    clients: Collection[str] = (),
    readiness: Readiness = READINESS,
    granted: Mapping[str, Collection[str]] | None = None,
) -> GrpcServer:
    """`registrations` pairs a `lambda s: add_XServicer_to_server(impl, s)` with the full service name;
    `clients`: the identities allowed to call those services over mutual TLS (ignored without `tls`); `granted`:
    the identities allowed one method besides (full method name → identities)."""
    registrations = list(registrations)
    interceptors = [] if tls is None else [IdentityCheck({name: clients for _, name in registrations}, granted)]
    server = grpc.aio.server(options=SERVER_OPTIONS, interceptors=interceptors)
    health_servicer = health_aio.HealthServicer()
    health_pb2_grpc.add_HealthServicer_to_server(health_servicer, server)
    names = []
    for register, name in registrations:
        register(server)
        names.append(name)
    reflection.enable_server_reflection([health.SERVICE_NAME, reflection.SERVICE_NAME, *names], server)
    if tls is None:
        port = server.add_insecure_port(address)
    else:
        port = server.add_secure_port(address, tls.server_credentials())
    if port == 0:
        raise RuntimeError(f"cannot bind gRPC server to {address}")
    return GrpcServer(server, port, health_servicer, names, readiness, tls)
