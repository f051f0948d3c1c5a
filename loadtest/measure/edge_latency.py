"""Measures (a) frame-log append latency and (b) delivery-topic → station socket latency of the edge node.

Not a test (no timed assertions in the suite): run it against the local Kafka and copy the figures into
docs/adr/0002-reply-and-command-routing.md.

    .venv/bin/python -m loadtest.measure.edge_latency [--samples 500] [--bootstrap 127.0.0.1:9092]

(a) `KafkaFrameLog.append` of one ~300-byte frame envelope, awaited (librdkafka, acks=all, idempotent producer,
    linger 2 ms), one at a time and with 50 stations appending concurrently.
(b) an owning service's reply: produce the reply envelope to the node's delivery topic (acks=all) and time
    until the station's WebSocket client has received it. Edge node, client and producer share one process.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import statistics
import time
import uuid

import websockets
from aiokafka.admin import AIOKafkaAdminClient

from csms.envelope.v1 import envelope_pb2
from csms_edge.adapters.frame_log import KafkaFrameLog
from csms_edge.adapters.kafka_producer import AsyncProducer
from csms_edge.bootstrap import EdgeNode
from csms_edge.settings import EdgeSettings
from csms_kernel.infra import topics
from csms_kernel.infra.kafka import envelope_headers, librdkafka_producer_config, make_producer
from loadtest.servers import AcceptAll
from loadtest.station_socket import basic_auth

FRAME = (
    '[2,"{id}","MeterValues",{{"evseId":1,"meterValue":[{{"timestamp":"2026-01-01T00:00:00Z",'
    '"sampledValue":[{{"value":1234.5,"measurand":"Energy.Active.Import.Register","unitOfMeasure":'
    '{{"unit":"Wh"}}}},{{"value":16.0,"measurand":"Current.Import","phase":"L1"}}]}}]}}]'
)


def summary(name: str, samples_s: list[float]) -> str:
    ms = sorted(s * 1000 for s in samples_s)
    q = statistics.quantiles(ms, n=100)
    return (
        f"{name}: n={len(ms)} p50={q[49]:.2f} ms p90={q[89]:.2f} ms p99={q[98]:.2f} ms "
        f"max={ms[-1]:.2f} ms mean={statistics.fmean(ms):.2f} ms"
    )


def envelope(station_id: str, message_id: str) -> envelope_pb2.Envelope:
    return envelope_pb2.Envelope(
        station_id=station_id,
        tenant="bench",
        ocpp_version=envelope_pb2.OCPP_VERSION_201,
        direction=envelope_pb2.DIRECTION_STATION_TO_CSMS,
        kind=envelope_pb2.KIND_FRAME,
        message_type=envelope_pb2.MESSAGE_TYPE_CALL,
        message_id=message_id,
        action="MeterValues",
        frame=FRAME.format(id=message_id).encode(),
        edge_node_id="bench",
        connection_id=uuid.uuid4().hex,
    )


async def measure_append(bootstrap: str, samples: int) -> list[str]:
    producer = AsyncProducer(librdkafka_producer_config(bootstrap, "edge-bench"))
    try:
        log = KafkaFrameLog(producer)
        for i in range(50):  # warm-up: metadata, connections, producer id
            await log.append(envelope(f"CS-warm-{i}", str(i)))
        sequential = []
        for i in range(samples):
            item = envelope(f"CS-bench-{i % 100}", f"m{i}")
            t0 = time.perf_counter()
            await log.append(item)
            sequential.append(time.perf_counter() - t0)

        concurrent: list[float] = []

        async def station(n: int) -> None:
            for i in range(samples // 50):
                item = envelope(f"CS-conc-{n}", f"m{i}")
                t0 = time.perf_counter()
                await log.append(item)
                concurrent.append(time.perf_counter() - t0)

        await asyncio.gather(*(station(n) for n in range(50)))
        return [
            summary("(a) frame-log append, one at a time", sequential),
            summary("(a) frame-log append, 50 stations concurrently", concurrent),
        ]
    finally:
        await producer.stop()


async def measure_delivery(bootstrap: str, samples: int) -> list[str]:
    settings = EdgeSettings(
        node_id=f"edge-bench-{uuid.uuid4().hex[:6]}",
        host="127.0.0.1",
        port=0,
        grpc_listen="127.0.0.1:0",
        kafka_bootstrap=bootstrap,
    )
    node = EdgeNode(settings, registry=AcceptAll())
    await node.start()
    producer = make_producer(bootstrap, "service-bench")
    await producer.start()
    try:
        async with websockets.connect(
            f"ws://127.0.0.1:{node.ws_port}/ocpp/CS-bench",
            subprotocols=[websockets.Subprotocol("ocpp2.0.1")],
            additional_headers={"Authorization": basic_auth("CS-bench", "bench-password")},
        ) as ws:
            async with asyncio.timeout(10):
                while node.table.get("CS-bench") is None:  # noqa: ASYNC110
                    await asyncio.sleep(0.01)
            connection = node.table.get("CS-bench")
            assert connection is not None
            latencies, after_ack = [], []
            for i in range(samples + 20):
                reply = envelope_pb2.Envelope(
                    station_id="CS-bench",
                    ocpp_version=envelope_pb2.OCPP_VERSION_201,
                    direction=envelope_pb2.DIRECTION_CSMS_TO_STATION,
                    kind=envelope_pb2.KIND_FRAME,
                    message_type=envelope_pb2.MESSAGE_TYPE_CALL_RESULT,
                    message_id=f"r{i}",
                    action="Heartbeat",
                    frame=f'[3,"r{i}",{{"currentTime":"2026-01-01T00:00:00Z"}}]'.encode(),
                    edge_node_id=settings.node_id,
                    connection_id=connection.connection_id,
                )
                t0 = time.perf_counter()
                await producer.send_and_wait(
                    topics.delivery(settings.node_id),
                    reply.SerializeToString(),
                    key=b"CS-bench",
                    headers=envelope_headers(reply),
                )
                acked = time.perf_counter()
                received = await asyncio.wait_for(ws.recv(), 10)
                done = time.perf_counter()
                assert received == reply.frame.decode()
                if i >= 20:  # warm-up
                    latencies.append(done - t0)
                    after_ack.append(done - acked)
        return [
            summary("(b) produce to delivery topic -> station socket", latencies),
            summary("(b) of which: after the produce was acknowledged", after_ack),
        ]
    finally:
        await producer.stop()
        await node.stop()
        admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, client_id="edge-bench-cleanup")
        await admin.start()
        try:
            await admin.delete_topics([topics.delivery(settings.node_id)])
        finally:
            await admin.close()


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--samples", type=int, default=500)
    parser.add_argument("--bootstrap", default=os.environ.get("CSMS_KAFKA_BOOTSTRAP", "127.0.0.1:9092"))
    args = parser.parse_args()
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    for line in await measure_append(args.bootstrap, args.samples):
        print(line)
    for line in await measure_delivery(args.bootstrap, args.samples):
        print(line)


if __name__ == "__main__":
    asyncio.run(main())
