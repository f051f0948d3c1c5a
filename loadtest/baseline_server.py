"""The naive baseline CSMS of issue 16: one process, the `ocpp` package's ChargePoint handlers, nothing durable.

It answers what the simulator's steady traffic sends (BootNotification, Heartbeat, StatusNotification, Authorize,
1.6 Start/StopTransaction, 2.x TransactionEvent, MeterValues, NotifyEvent) on OCPP 1.6, 2.0.1 and 2.1, accepts every
station and every token, and keeps nothing but a transaction counter. `loadtest.bench_stack latency --baseline`
drives it with the same load as the stack, in the same run, so the two latencies are comparable.

    .venv/bin/python -m loadtest.baseline_server --port 9900     # ws://127.0.0.1:9900/ocpp/{stationId}
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import logging
import signal
from datetime import UTC, datetime
from types import ModuleType
from typing import Any

from ocpp.routing import on
from ocpp.v16 import ChargePoint as ChargePoint16
from ocpp.v16 import call_result as result16
from ocpp.v21 import ChargePoint as ChargePoint21
from ocpp.v21 import call_result as result21
from ocpp.v201 import ChargePoint as ChargePoint201
from ocpp.v201 import call_result as result201
from websockets.asyncio.server import ServerConnection, serve
from websockets.exceptions import ConnectionClosed
from websockets.typing import Subprotocol

HEARTBEAT_INTERVAL_S = 300
ACCEPTED = {"status": "Accepted"}
_transaction_ids = itertools.count(1)


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


class Station16(ChargePoint16):  # type: ignore[misc]
    @on("BootNotification")  # type: ignore[untyped-decorator]
    def boot_notification(self, **_: Any) -> Any:
        return result16.BootNotification(current_time=_now(), interval=HEARTBEAT_INTERVAL_S, status="Accepted")

    @on("Heartbeat")  # type: ignore[untyped-decorator]
    def heartbeat(self, **_: Any) -> Any:
        return result16.Heartbeat(current_time=_now())

    @on("StatusNotification")  # type: ignore[untyped-decorator]
    def status_notification(self, **_: Any) -> Any:
        return result16.StatusNotification()

    @on("Authorize")  # type: ignore[untyped-decorator]
    def authorize(self, **_: Any) -> Any:
        return result16.Authorize(id_tag_info=ACCEPTED)

    @on("StartTransaction")  # type: ignore[untyped-decorator]
    def start_transaction(self, **_: Any) -> Any:
        return result16.StartTransaction(transaction_id=next(_transaction_ids), id_tag_info=ACCEPTED)

    @on("StopTransaction")  # type: ignore[untyped-decorator]
    def stop_transaction(self, **_: Any) -> Any:
        return result16.StopTransaction()

    @on("MeterValues")  # type: ignore[untyped-decorator]
    def meter_values(self, **_: Any) -> Any:
        return result16.MeterValues()


def _station_2x(base: type, results: ModuleType) -> type:
    """The 2.0.1 and 2.1 stations: the same handlers, typed with their version's call results."""

    class Station2x(base):  # type: ignore[misc]
        @on("BootNotification")  # type: ignore[untyped-decorator]
        def boot_notification(self, **_: Any) -> Any:
            return results.BootNotification(current_time=_now(), interval=HEARTBEAT_INTERVAL_S, status="Accepted")

        @on("Heartbeat")  # type: ignore[untyped-decorator]
        def heartbeat(self, **_: Any) -> Any:
            return results.Heartbeat(current_time=_now())

        @on("StatusNotification")  # type: ignore[untyped-decorator]
        def status_notification(self, **_: Any) -> Any:
            return results.StatusNotification()

        @on("Authorize")  # type: ignore[untyped-decorator]
        def authorize(self, **_: Any) -> Any:
            return results.Authorize(id_token_info=ACCEPTED)

        @on("TransactionEvent")  # type: ignore[untyped-decorator]
        def transaction_event(self, id_token: dict[str, Any] | None = None, **_: Any) -> Any:
            return results.TransactionEvent(id_token_info=ACCEPTED if id_token else None)

        @on("MeterValues")  # type: ignore[untyped-decorator]
        def meter_values(self, **_: Any) -> Any:
            return results.MeterValues()

        @on("NotifyEvent")  # type: ignore[untyped-decorator]
        def notify_event(self, **_: Any) -> Any:
            return results.NotifyEvent()

    return Station2x


STATIONS: dict[str, type] = {
    "ocpp1.6": Station16,
    "ocpp2.0.1": _station_2x(ChargePoint201, result201),
    "ocpp2.1": _station_2x(ChargePoint21, result21),
}


async def handle(connection: ServerConnection) -> None:
    assert connection.request is not None and connection.subprotocol is not None
    station_id = connection.request.path.rstrip("/").rsplit("/", 1)[-1]
    with contextlib.suppress(ConnectionClosed):
        await STATIONS[connection.subprotocol](station_id, connection).start()


async def run(host: str, port: int) -> None:
    stop = asyncio.get_running_loop().create_future()
    for signum in (signal.SIGINT, signal.SIGTERM):
        asyncio.get_running_loop().add_signal_handler(signum, stop.set_result, None)
    async with serve(
        handle, host, port, subprotocols=[Subprotocol(name) for name in STATIONS], compression=None, ping_interval=None
    ):
        print(f"baseline CSMS on ws://{host}:{port}/ocpp/{{stationId}}", flush=True)
        await stop


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=9900)
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    asyncio.run(run(args.host, args.port))


if __name__ == "__main__":
    main()
