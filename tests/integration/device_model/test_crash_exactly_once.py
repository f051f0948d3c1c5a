"""A device-model process killed with SIGKILL again and again while stations boot: every BootNotification
gets exactly one committed reply and one StationBooted event, and the projection ends correct.

The CALLs are written to the real `ocpp.calls.device_model.v1` as an edge node routes them; replies go to this
test's own delivery topic. The process is `csms serve device-model`, restarted with the same transactional id, which
fences the killed instance and aborts its open transaction.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import uuid
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

from aiokafka import AIOKafkaProducer, TopicPartition

from csms.device_model.v1 import device_model_pb2
from csms.envelope.v1 import envelope_pb2
from csms_edge.adapters.delivery_topic import ensure_delivery_topic
from csms_kernel.infra import cassandra, topics
from csms_kernel.infra.client_security import PLAINTEXT
from csms_kernel.infra.envelopes import timestamp
from csms_kernel.infra.kafka import envelope_headers
from csms_kernel.ocpp.ownership import DEVICE_MODEL
from infra_fixtures import Infra
from kit.builders.envelopes import frame_envelope
from kit.kafka_log import end_offsets, read_committed
from kit.stack import free_port
from kit.waiting import eventually

STATIONS = 120
KILLS = 3
CSMS = str(Path(sys.executable).parent / "csms")


def boot_frame(station_id: str, message_id: str, node: str) -> envelope_pb2.Envelope:
    payload = {"chargingStation": {"vendorName": "Crashy", "model": "K9"}, "reason": "PowerUp"}
    frame = json.dumps([2, message_id, "BootNotification", payload])
    return frame_envelope(
        frame,
        station_id=station_id,
        tenant="it",
        message_id=message_id,
        action="BootNotification",
        edge_node_id=node,
        connection_id="conn-1",
        received_at=timestamp(datetime.now(UTC)),
    )


def start_device_model(infra: Infra, instance: str, log: Path) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "CSMS_KAFKA_BOOTSTRAP": infra.kafka_bootstrap,
        "CSMS_CASSANDRA_CONTACT_POINTS": ",".join(infra.cassandra_contact_points),
        "CSMS_CASSANDRA_PORT": str(infra.cassandra_port),
        "CSMS_CASSANDRA_LOCAL_DC": infra.local_dc,
        "CSMS_DEVICE_MODEL_GRPC_LISTEN": f"127.0.0.1:{free_port()}",
        "CSMS_DEVICE_MODEL_INSTANCE_ID": instance,
    }
    with log.open("ab") as out:
        return subprocess.Popen([CSMS, "serve", "device-model"], env=env, stdout=out, stderr=subprocess.STDOUT)


async def projected_boots(infra: Infra, stations: dict[str, str]) -> int:
    session = await cassandra.connect(infra.cassandra_contact_points, infra.cassandra_port, infra.local_dc, None)
    try:
        query = "SELECT vendor FROM csms_device_model.stations WHERE station_id = %s"
        rows = await asyncio.gather(*(session.execute(query, (station_id,)) for station_id in stations))
    finally:
        await session.close()
    return sum(1 for row in rows if row and row[0]["vendor"] == "Crashy")


async def test_sigkill_during_boot_storm_neither_loses_nor_doubles(infra: Infra, tmp_path: Path) -> None:
    node = f"crash-{uuid.uuid4().hex[:8]}"
    delivery = topics.delivery(node)
    await ensure_delivery_topic(infra.kafka_bootstrap, node, replication_factor=1, security=PLAINTEXT)
    events_start = await end_offsets(infra.kafka_bootstrap, topics.DEVICE_MODEL_EVENTS)
    delivery_start = {TopicPartition(delivery, 0): 0}
    stations = {f"CRASH-{node}-{i:03d}": f"boot-{i:03d}" for i in range(STATIONS)}

    instance = f"crash-test-{node}"
    log = tmp_path / "device-model.log"
    process = start_device_model(infra, instance, log)
    producer = AIOKafkaProducer(bootstrap_servers=infra.kafka_bootstrap, acks="all", enable_idempotence=True)
    await producer.start()
    try:
        items = list(stations.items())
        burst = len(items) // (KILLS + 1)
        for round_ in range(KILLS + 1):
            for station_id, message_id in items[round_ * burst : (round_ + 1) * burst if round_ < KILLS else None]:
                envelope = boot_frame(station_id, message_id, node)
                await producer.send(
                    topics.calls(DEVICE_MODEL),
                    envelope.SerializeToString(),
                    key=station_id.encode(),
                    headers=envelope_headers(envelope),
                )
            await producer.flush()
            if round_ < KILLS:
                # Kill while the burst is being handled: wait for the first committed replies of this burst.
                expected = (round_ + 1) * burst
                await eventually(
                    lambda: read_committed(infra.kafka_bootstrap, delivery_start),
                    lambda values, floor=expected - burst: len(values) > floor,
                    timeout_s=90,
                    what="replies of the burst to start",
                )
                process.send_signal(signal.SIGKILL)
                process.wait()
                process = start_device_model(infra, instance, log)

        await eventually(
            lambda: read_committed(infra.kafka_bootstrap, delivery_start),
            lambda values: len(values) >= STATIONS,
            timeout_s=180,
            what="a reply for every station",
        )
        await eventually(lambda: projected_boots(infra, stations), lambda n: n == STATIONS, timeout_s=120)
        process.send_signal(signal.SIGTERM)
        process.wait(30)
        replies = await read_committed(infra.kafka_bootstrap, delivery_start)
    finally:
        await producer.stop()
        if process.poll() is None:
            process.kill()

    answered: Counter[str] = Counter()
    for value in replies:
        envelope = envelope_pb2.Envelope.FromString(value)
        frame = json.loads(envelope.frame)
        assert frame[0] == 3 and frame[2]["status"] == "Accepted", frame
        answered[envelope.message_id] += 1
    assert answered == Counter(stations.values()), "every boot answered exactly once"

    booted: Counter[str] = Counter()
    for value in await read_committed(infra.kafka_bootstrap, events_start):
        event = device_model_pb2.DeviceModelEvent.FromString(value)
        if event.station_id in stations and event.WhichOneof("event") == "station_booted":
            booted[event.station_id] += 1
    assert booted == Counter(dict.fromkeys(stations, 1)), "exactly one StationBooted per boot"
