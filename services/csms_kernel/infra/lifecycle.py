"""The one service shape and process lifecycle shared by all four processes.

A `Service` is what a service's `bootstrap.build(settings, **overrides)` returns: everything wired, nothing
started (no I/O). `running()`/`serve()` start its resources in order, then its gRPC server, run its loops
until one fails or the task is cancelled, and stop everything in reverse. `main()` is every process entry:
logging, telemetry, then `serve()` until SIGTERM/SIGINT. Only `running()`, `serve()` and `main()` do I/O
(through the resources).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import AsyncIterator, Awaitable, Callable, Collection, Coroutine, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol, TypeVar

import grpc

from csms_kernel.handling.router import Router
from csms_kernel.infra.grpc_server import GrpcServer, build_server
from csms_kernel.infra.grpc_tls import GrpcTls
from csms_kernel.infra.production import refuse_development_secrets
from csms_kernel.infra.settings import CommonSettings
from csms_kernel.telemetry import installed
from csms_kernel.telemetry.logs import configure_logging

log = logging.getLogger(__name__)

S = TypeVar("S", bound=CommonSettings)


class Resource(Protocol):
    """A client or server started before the loops run and stopped after they end."""

    async def start(self) -> None: ...

    async def stop(self) -> None: ...


@dataclass(frozen=True)
class Closing:
    """A resource that needs no start, only a close at the end (e.g. a gRPC client with lazy channels)."""

    close: Callable[[], Awaitable[None]]

    async def start(self) -> None:
        return None

    async def stop(self) -> None:
        await self.close()


@dataclass(frozen=True)
class GrpcApi:
    """The gRPC service a process serves: its servicer, how to register it, where to listen, its mutual TLS
    (None: plaintext, development only) and the identities allowed to call it."""

    listen: str
    servicer: Any
    register: Callable[[Any, grpc.aio.Server], None]
    service_name: str
    tls: GrpcTls | None
    clients: Collection[str]
    # identities allowed one method besides `clients` (full method name → identities)
    granted: Mapping[str, Collection[str]] = field(default_factory=dict)

    def build_server(self) -> GrpcServer:
        """Binds the listen address (plus health and reflection); started by `serve()`."""
        return build_server(
            self.listen,
            [(lambda server: self.register(self.servicer, server), self.service_name)],
            self.tls,
            self.clients,
            granted=self.granted,
        )


@dataclass(frozen=True)
class Service:
    """A wired service: `resources` start in order and stop in reverse; `loops` run between. `router` is the
    station CALL router of a service that answers CALLs (handler tests take contexts from it)."""

    name: str
    instance: str
    resources: Sequence[Resource]
    loops: Sequence[Callable[[], Coroutine[Any, Any, None]]] = ()
    grpc: GrpcApi | None = None
    router: Router[Any] | None = None


@dataclass(frozen=True)
class Running:
    """A started service: the port its gRPC server is bound to (None without one) and its running loops."""

    grpc_port: int | None
    loops: list[asyncio.Task[None]]

    async def wait(self) -> None:
        """Returns when every loop has ended (never for a service without loops); raises when one fails."""
        if not self.loops:
            await asyncio.Event().wait()
        await asyncio.gather(*self.loops)


@contextlib.asynccontextmanager
async def running(service: Service) -> AsyncIterator[Running]:
    """Starts the resources in order, then the gRPC server, then the loops; on exit cancels the loops and stops
    the server and the started resources in reverse order."""
    started: list[Resource] = []
    server: GrpcServer | None = None
    loops: list[asyncio.Task[None]] = []
    try:
        for resource in service.resources:
            await resource.start()
            started.append(resource)
        if service.grpc is not None:
            server = service.grpc.build_server()
            await server.start()
            log.info("%s %s serving gRPC on port %d", service.name, service.instance, server.port)
        loops = [asyncio.create_task(loop()) for loop in service.loops]
        yield Running(server.port if server is not None else None, loops)
    finally:
        for task in loops:
            task.cancel()
        await asyncio.gather(*loops, return_exceptions=True)
        if server is not None:
            await server.stop()
        for resource in reversed(started):
            await resource.stop()
        log.info("%s %s stopped", service.name, service.instance)


async def serve(service: Service, ready: asyncio.Event | None = None) -> None:
    """Runs the service (see `running`) until cancelled or until a loop fails; sets `ready` once started."""
    async with running(service) as started:
        log.info("%s %s ready", service.name, service.instance)
        if ready is not None:
            ready.set()
        await started.wait()


def main(name: str, settings: S, build: Callable[[S], Service], *, instance_id: str) -> None:
    """A process entry: refuses development secrets in production (exit status 1), configures logging and
    telemetry, then serves `build(settings)` until SIGTERM/SIGINT."""
    refuse_development_secrets(settings)
    configure_logging(settings.log_level)
    with installed(name, settings.metrics_port, metrics_host=settings.metrics_host, instance_id=instance_id):
        run_until_signalled(lambda: serve(build(settings)))


def run_until_signalled(run: Callable[[], Coroutine[Any, Any, None]]) -> None:
    """Runs `run()` until it ends or the process gets SIGTERM/SIGINT, which cancels it for a clean shutdown."""

    async def main() -> None:
        task = asyncio.create_task(run())
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, task.cancel)
        with contextlib.suppress(asyncio.CancelledError):
            await task

    asyncio.run(main())
