"""Process lifecycle shared by every service: logging set-up and running until SIGTERM/SIGINT."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import Callable, Coroutine
from typing import Any


def configure_logging(level: str) -> None:
    logging.basicConfig(level=level.upper(), format="%(asctime)s %(levelname)s %(name)s %(message)s")
    logging.getLogger("aiokafka").setLevel(logging.WARNING)
    logging.getLogger("cassandra").setLevel(logging.WARNING)


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
