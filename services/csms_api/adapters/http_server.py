"""The HTTP server of the API: uvicorn serving the FastAPI app inside the kernel's lifecycle (a `Resource`
plus a loop), so signals stay with `csms_kernel.infra.lifecycle` and SIGTERM stops it gracefully: no new
connections, requests in progress get `grace_s` to finish, then the rest are cancelled.
Side effects: binds a TCP port, serves HTTP.
"""

from __future__ import annotations

import logging
from typing import Any

import uvicorn

log = logging.getLogger(__name__)


class HttpServer:
    def __init__(self, app: Any, host: str, port: int, *, grace_s: int, access_log: bool) -> None:
        self.app = app
        self._host = host
        self._config = uvicorn.Config(
            app,
            host=host,
            port=port,
            lifespan="off",  # the kernel lifecycle starts and stops what the app needs
            log_config=None,  # the process's logging as configured by the kernel
            access_log=access_log,
            timeout_graceful_shutdown=grace_s,
        )
        self._server = uvicorn.Server(self._config)
        self.port: int | None = None

    @property
    def url(self) -> str:
        return f"http://{self._host}:{self.port}"

    async def start(self) -> None:
        """Binds the port and starts accepting connections."""
        self._config.load()
        # What uvicorn's own Server.serve() does before startup(); serve() itself would take the signals.
        self._server.lifespan = self._config.lifespan_class(self._config)
        try:
            await self._server.startup()
        except SystemExit as exc:  # uvicorn exits the process when it cannot bind
            raise RuntimeError(f"cannot serve HTTP on {self._host}:{self._config.port}") from exc
        self.port = self._server.servers[0].sockets[0].getsockname()[1]
        log.info("operator API on %s (OpenAPI %s/openapi.json)", self.url, self.url)

    async def run(self) -> None:
        """uvicorn's housekeeping loop (the Date header); ends only when cancelled."""
        await self._server.main_loop()

    async def stop(self) -> None:
        if self.port is None:
            return
        self._server.should_exit = True
        await self._server.shutdown()
        self.port = None
