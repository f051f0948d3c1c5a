"""SIGKILL of a device-model instance, twice (first one instance, then the other; each is restarted), while 300
stations (1.6, 2.0.1, 2.1) boot over real WebSockets; the other instance keeps serving meanwhile.

Each station retries its BootNotification with the same message id until answered. Must hold: every
station is answered Accepted; every CALL frame it sent gets exactly one reply, all of them identical (late is
fine); exactly one StationBooted event per boot in `csms.device_model.events.v1` (read_committed); the
stations projection ends correct (vendor, model, version, connected on its node); both instances run at the end.
One instance of every other service.
"""

from __future__ import annotations

import asyncio
import functools
import signal
from collections import Counter
from typing import Any

from csms.device_model.v1 import device_model_pb2
from csms_kernel.infra import topics
from csms_kernel.infra.envelopes import version_to_proto
from csms_kernel.ocpp.versions import OcppVersion
from kit.kafka_log import end_offsets, read_committed
from kit.stack import FaultInfra, MakeStack, get_stations
from kit.stations.raw import RawStation, boot_payload, close_all, connect_all
from kit.waiting import eventually, probe

STATIONS = 300
WAVES = 3
VERSIONS = (OcppVersion.V16, OcppVersion.V201, OcppVersion.V21)


async def test_sigkill_of_a_device_model_instance_during_boot_storm(
    fault_infra: FaultInfra, make_stack: MakeStack
) -> None:
    stack = await make_stack(instances={"device-model": 2})
    bootstrap = fault_infra.infra.kafka_bootstrap
    events_start = await end_offsets(bootstrap, topics.DEVICE_MODEL_EVENTS)
    prefix = stack.config.instance_prefix
    stations = [
        RawStation([stack.config.edge_url(0)], f"{prefix}boot-{i:03d}", VERSIONS[i % len(VERSIONS)])
        for i in range(STATIONS)
    ]

    async def boot(station: RawStation) -> list[Any]:
        payload = boot_payload(station.version, "Crashy", f"K9-{station.version.name}")
        reply, _ = await station.call(
            f"boot-{station.station_id}", "BootNotification", payload, attempt_timeout_s=5, deadline_s=240
        )
        return reply

    await connect_all(stations)
    wave_size = STATIONS // WAVES
    boots: list[asyncio.Task[list[Any]]] = []
    try:
        for wave in range(WAVES):
            chunk = stations[wave * wave_size : (wave + 1) * wave_size]
            boots += [asyncio.create_task(boot(station)) for station in chunk]
            if wave < WAVES - 1:
                # Kill while the wave is being answered: some of its stations have their reply, most do not.
                await eventually(
                    probe(functools.partial(_answered, chunk)),
                    lambda n: n > 0,
                    timeout_s=120,
                    what=f"first replies of wave {wave}",
                )
                victim = stack.config.instance_name("device-model", wave % 2)
                stack.kill(victim, signal.SIGKILL)
                stack.start_process(stack.spec(victim))
        replies = await asyncio.gather(*boots)

        for station, reply in zip(stations, replies, strict=True):
            assert reply[0] == 3 and reply[2]["status"] == "Accepted", (station.station_id, reply)

        def exactly_one_reply_per_send() -> list[str]:
            return [s.station_id for s in stations for mid, n in s.sent.items() if len(s.replies[mid]) != n]

        await eventually(
            probe(exactly_one_reply_per_send), lambda wrong: not wrong, timeout_s=60, what="one reply per CALL sent"
        )
        for station in stations:
            for message_id, answers in station.replies.items():
                assert all(answer == answers[0] for answer in answers), (station.station_id, message_id, answers)
        retried = sum(1 for s in stations for n in s.sent.values() if n > 1)
        print(f"\n{retried} of {STATIONS} stations resent their BootNotification")

        booted: Counter[tuple[str, str]] = Counter()
        for value in await read_committed(bootstrap, events_start):
            event = device_model_pb2.DeviceModelEvent.FromString(value)
            if event.station_id.startswith(prefix) and event.WhichOneof("event") == "station_booted":
                booted[(event.station_id, event.message_id)] += 1
        assert booted == Counter({(s.station_id, f"boot-{s.station_id}"): 1 for s in stations})

        expected = {
            s.station_id: (
                "Crashy",
                f"K9-{s.version.name}",
                version_to_proto(s.version),
                True,
                stack.config.edge_node_id(0),
            )
            for s in stations
        }

        async def projected() -> dict[str, tuple[object, ...]]:
            found = await get_stations(stack.config, list(expected))
            return {
                station_id: (st.vendor, st.model, st.ocpp_version, st.connected, st.edge_node_id)
                for station_id, st in found.items()
            }

        await eventually(projected, lambda rows: rows == expected, timeout_s=90, what="the stations projection")
        assert [stack.processes[name].poll() for name in stack.config.instance_names("device-model")] == [None, None]
    finally:
        for task in boots:
            task.cancel()
        await close_all(stations)


def _answered(stations: list[RawStation]) -> int:
    return sum(1 for station in stations if station.replies)
