"""OpenTelemetry and Prometheus across the running stack.

A stack of its own (authorization, device-model, one edge node) exports spans to an OTLP receiver inside the
test. One BootNotification must be one trace across processes: the edge's receive span → device-model's
handle span (context from the Kafka record) → its Cassandra calls and the reply's publish span → the edge's
send span; a CSMS-initiated call must chain device-model's gRPC server span → edge SendCall → the frames; an
operator command over HTTP must chain the API's HTTP server span → device-model's SendCommand → the edge.
The /metrics of the edge and device-model must show the traffic.

Consumer groups are shared with any other stack on the same Kafka (e.g. the e2e `stack`), so a station that
must be answered by this stack's device-model gets an id hashing to a frames partition that device-model holds
(read from its consumer-lag series). This stack runs one instance of each service: the traces cross processes
the same way whichever instance answers, and one instance's metrics then show all of this stack's traffic.
"""

from __future__ import annotations

import asyncio
import json
import urllib.request
import uuid
from collections.abc import AsyncIterator, Callable

import grpc
import httpx
import pytest
from aiokafka.partitioner import DefaultPartitioner
from prometheus_client.parser import text_string_to_metric_families

from csms.device_model.v1 import device_model_pb2, device_model_pb2_grpc
from csms_devtools.stack import Stack
from csms_kernel.clients.channels import channel as grpc_channel
from csms_kernel.infra import topics
from csms_kernel.ocpp.ownership import DEVICE_MODEL
from csms_kernel.ocpp.versions import OcppVersion
from infra_fixtures import Infra
from kit.api import api_client
from kit.otlp_receiver import CLIENT, CONSUMER, PRODUCER, SERVER, OtlpReceiver, ReceivedSpan, otlp_receiver
from kit.stack import Cli, free_port, one_instance_config
from kit.stations.ocpp_client import connected_station
from kit.waiting import eventually

PASSWORD = "otel-test-password-1"
CALLS_PARTITIONS = 12  # ocpp.calls.device_model.v1 in services/csms_kernel/topology.toml
HANDLERS_GROUP = "device_model.handlers"
SEND_CALL_DM = "/csms.device_model.v1.DeviceModelService/SendCall"
SEND_CALL_EDGE = "/csms.edge.v1.EdgeService/SendCall"
SEND_COMMAND = "/csms.device_model.v1.DeviceModelService/SendCommand"
VERIFY = "/csms.authorization.v1.AuthorizationService/VerifyStationCredentials"

Samples = list[tuple[str, dict[str, str], float]]


@pytest.fixture(scope="module")
async def receiver() -> AsyncIterator[OtlpReceiver]:
    async with otlp_receiver() as running:
        yield running


@pytest.fixture(scope="module")
async def traced(
    infra: Infra, receiver: OtlpReceiver, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[Stack]:
    prefix = f"otel-{uuid.uuid4().hex[:6]}-"
    edge = f"{prefix}edge-1"
    config = one_instance_config(
        infra,
        accept_unknown_stations=True,
        heartbeat_interval_s=60,
        run_dir=tmp_path_factory.mktemp("traced-stack"),
        pki_dir=tmp_path_factory.mktemp("traced-pki"),
        instance_prefix=prefix,
        extra_env={
            "OTEL_TRACES_EXPORTER": "otlp",
            "OTEL_EXPORTER_OTLP_ENDPOINT": receiver.endpoint,
            "OTEL_EXPORTER_OTLP_PROTOCOL": "grpc",
            "OTEL_BSP_SCHEDULE_DELAY": "100",
        },
        metrics_ports={"device-model-1": free_port(), edge: free_port()},
    )
    running = Stack(config)
    names = [
        "authorization-1",
        "device-model-1",
        "transactions-1",
        "security-1",
        "firmware-1",
        "smart-charging-1",
        edge,
        "api-1",
    ]
    try:
        for name in names:
            running.start_process(running.spec(name))
        await running.wait_ready(timeout_s=120, names=names)
        yield running
    finally:
        running.stop()


def edge_name(stack: Stack) -> str:
    return stack.config.edge_node_id(0)


async def scrape(url: str) -> Samples:
    def fetch() -> str:
        with urllib.request.urlopen(url, timeout=5) as response:
            return str(response.read().decode())

    text = await asyncio.to_thread(fetch)
    return [(s.name, s.labels, s.value) for family in text_string_to_metric_families(text) for s in family.samples]


def value(samples: Samples, name: str, **labels: str) -> float:
    """The sample's value (0 when the series does not exist yet)."""
    return next((v for n, ls, v in samples if n == name and ls == labels), 0.0)


def lag_partitions(samples: Samples, group: str, topic: str = topics.calls(DEVICE_MODEL)) -> set[int]:
    return {
        int(ls["partition"])
        for n, ls, _ in samples
        if n == "csms_kafka_consumer_lag" and ls["group"] == group and ls["topic"] == topic
    }


async def station_answered_here(stack: Stack, tag: str) -> str:
    """A fresh station id whose frames land on a partition this stack's device-model handles."""
    samples = await eventually(
        lambda: scrape(stack.config.metrics_url("device-model-1")),
        lambda s: bool(lag_partitions(s, HANDLERS_GROUP)),
        what="device-model's frames partitions",
    )
    held = sorted(lag_partitions(samples, HANDLERS_GROUP))
    all_partitions = list(range(CALLS_PARTITIONS))
    while True:
        station_id = f"OTEL-{tag}-{uuid.uuid4().hex[:8]}"
        if DefaultPartitioner()(station_id.encode(), all_partitions, all_partitions) in held:
            return station_id


async def spans_where(
    receiver: OtlpReceiver, predicate: Callable[[ReceivedSpan], bool], what: str
) -> list[ReceivedSpan]:
    async def probe() -> list[ReceivedSpan]:
        return receiver.matching(predicate)

    return await eventually(probe, bool, timeout_s=30, what=what)


def ocpp(span: ReceivedSpan) -> dict[str, object]:
    return {key: value for key, value in span.attributes.items() if key.startswith("ocpp.")}


async def test_one_boot_notification_is_one_trace_across_processes(traced: Stack, receiver: OtlpReceiver) -> None:
    station_id = await station_answered_here(traced, "BOOT")
    async with connected_station(traced.config.edge_url(0), station_id, PASSWORD, OcppVersion.V201) as station:
        assert (await station.boot()).status == "Accepted"

    (receive,) = await spans_where(
        receiver,
        lambda s: s.name == "ocpp.receive" and s.attributes.get("ocpp.station_id") == station_id,
        "the edge's receive span",
    )
    assert (receive.service, receive.kind, receive.parent_span_id) == ("csms-edge", SERVER, "")
    attributes = ocpp(receive)
    assert attributes == {
        "ocpp.station_id": station_id,
        "ocpp.action": "BootNotification",
        "ocpp.message_id": attributes["ocpp.message_id"],
        "ocpp.version": "ocpp2.0.1",
    }
    assert attributes["ocpp.message_id"]

    (handle,) = await spans_where(receiver, lambda s: s.is_child_of(receive), "device-model's handle span")
    assert (handle.service, handle.name, handle.kind) == ("csms-device-model", "ocpp.handle", CONSUMER)
    assert ocpp(handle) == attributes

    children = await spans_where(
        receiver,
        lambda s: s.is_child_of(handle) and s.service == "csms-edge",
        "the edge's send span under the handle span",
    )
    (send,) = children
    assert (send.name, send.kind, ocpp(send)) == ("ocpp.send", PRODUCER, attributes)

    published = await spans_where(
        receiver,
        lambda s: s.is_child_of(handle) and s.kind == PRODUCER and s.service == "csms-device-model",
        "the publish spans of the reply and the event",
    )
    delivery, events = topics.delivery(edge_name(traced)), topics.DEVICE_MODEL_EVENTS
    assert sorted(span.name for span in published) == sorted([f"publish {delivery}", f"publish {events}"])
    (publish,) = (span for span in published if span.attributes["messaging.destination.name"] == delivery)

    queries = await spans_where(
        receiver, lambda s: s.is_child_of(handle) and s.attributes.get("db.system.name") == "cassandra", "cassandra"
    )
    assert all(query.kind == CLIENT and query.attributes["db.query.text"] for query in queries)
    assert receive.start_ns <= handle.start_ns <= publish.start_ns <= send.start_ns <= send.end_ns


async def test_the_edge_asks_the_authorization_service_within_one_trace(traced: Stack, receiver: OtlpReceiver) -> None:
    station_id = f"OTEL-AUTH-{uuid.uuid4().hex[:8]}"
    async with connected_station(traced.config.edge_url(0), station_id, PASSWORD, OcppVersion.V16):
        pass
    servers = await spans_where(
        receiver,
        lambda s: s.name == VERIFY and s.kind == SERVER and s.service == "csms-authorization",
        "authorization's VerifyStationCredentials server span",
    )
    clients = receiver.matching(lambda s: s.name == VERIFY and s.kind == CLIENT and s.service == "csms-edge")
    assert any(server.is_child_of(client) for server in servers for client in clients)


async def send_call(stack: Stack, station_id: str, action: str, payload: dict[str, object]) -> str | None:
    """The station's CALLRESULT payload, or None while the station is not known to be online yet."""
    async with grpc_channel(stack.config.device_model_address, stack.config.grpc_tls()) as channel:
        stub = device_model_pb2_grpc.DeviceModelServiceStub(channel)
        request = device_model_pb2.SendCallRequest(
            station_id=station_id, action=action, payload_json=json.dumps(payload), timeout_ms=10_000
        )
        try:
            response = await stub.SendCall(request, timeout=20)
        except grpc.aio.AioRpcError as exc:
            if exc.code() in (grpc.StatusCode.FAILED_PRECONDITION, grpc.StatusCode.NOT_FOUND):
                return None
            raise
    return str(response.result_json)


async def test_a_csms_call_is_one_trace_from_device_model_to_the_station(traced: Stack, receiver: OtlpReceiver) -> None:
    station_id = f"OTEL-CALL-{uuid.uuid4().hex[:8]}"
    async with connected_station(traced.config.edge_url(0), station_id, PASSWORD, OcppVersion.V201):
        result = await eventually(  # once the station's presence (from its CONNECTED record) is projected
            lambda: send_call(traced, station_id, "TriggerMessage", {"requestedMessage": "Heartbeat"}),
            lambda answer: answer is not None,
            timeout_s=60,
            what="TriggerMessage answered",
        )
    assert json.loads(result or "{}") == {"status": "Accepted"}

    (call,) = await spans_where(
        receiver,
        lambda s: (
            s.name == "ocpp.send"
            and s.attributes.get("ocpp.station_id") == station_id
            and s.attributes.get("ocpp.action") == "TriggerMessage"
        ),
        "the edge's send span of the CALL",
    )
    (edge_server,) = await spans_where(receiver, lambda s: call.is_child_of(s), "edge's SendCall span")
    assert (edge_server.service, edge_server.name, edge_server.kind) == ("csms-edge", SEND_CALL_EDGE, SERVER)
    (dm_client,) = await spans_where(receiver, lambda s: edge_server.is_child_of(s), "device-model's client span")
    assert (dm_client.service, dm_client.name, dm_client.kind) == ("csms-device-model", SEND_CALL_EDGE, CLIENT)
    (dm_server,) = await spans_where(receiver, lambda s: dm_client.is_child_of(s), "device-model's SendCall span")
    assert (dm_server.service, dm_server.name, dm_server.kind) == ("csms-device-model", SEND_CALL_DM, SERVER)
    await spans_where(
        receiver,
        lambda s: s.is_child_of(dm_server) and s.attributes.get("db.system.name") == "cassandra",
        "device-model's presence read",
    )

    (answer,) = await spans_where(
        receiver,
        lambda s: s.name == "ocpp.receive" and s.is_child_of(edge_server),
        "the edge's receive span of the station's CALLRESULT",
    )
    assert ocpp(answer) == ocpp(call)


async def test_metrics_of_edge_and_device_model_show_the_traffic(traced: Stack) -> None:
    edge_url = traced.config.metrics_url(edge_name(traced))
    dm_url = traced.config.metrics_url("device-model-1")
    station_id = await station_answered_here(traced, "METRICS")
    async with connected_station(traced.config.edge_url(0), station_id, PASSWORD, OcppVersion.V16) as station:
        await station.boot()
        await station.heartbeat()
        edge = await scrape(edge_url)
        assert value(edge, "csms_edge_connections") >= 1
    assert value(edge, "csms_ocpp_frames_total", direction="in", type="call", action="BootNotification") >= 1
    assert value(edge, "csms_ocpp_frames_total", direction="in", type="call", action="Heartbeat") >= 1
    assert value(edge, "csms_ocpp_frames_total", direction="out", type="call_result", action="BootNotification") >= 1
    trips = value(edge, "csms_edge_call_round_trip_seconds_count", action="Heartbeat")
    assert trips >= 1
    assert 0 < value(edge, "csms_edge_call_round_trip_seconds_sum", action="Heartbeat") / trips < 10
    assert lag_partitions(edge, f"edge.{edge_name(traced)}.delivery", topics.delivery(edge_name(traced))) == {0}

    await eventually(
        lambda: scrape(edge_url), lambda s: value(s, "csms_edge_connections") == 0, what="connection gauge back to 0"
    )

    batches = "csms_projection_batch_seconds_count"
    dm = await eventually(
        lambda: scrape(dm_url),
        lambda s: value(s, batches, projection="device_model.projector.stations") >= 1,
        what="a projection batch applied",
    )
    labels = {"service": "device_model", "action": "BootNotification", "outcome": "result"}
    handled = value(dm, "csms_handler_duration_seconds_count", **labels)
    assert handled >= 1
    assert 0 < value(dm, "csms_handler_duration_seconds_sum", **labels) / handled < 5
    lags = [v for n, ls, v in dm if n == "csms_kafka_consumer_lag" and ls["group"] == HANDLERS_GROUP]
    assert lags and all(lag >= 0 for lag in lags)


async def test_an_operator_command_over_http_is_one_trace_down_to_the_station(
    traced: Stack, receiver: OtlpReceiver
) -> None:
    key = Cli(traced)("api-keys", "create", "otel", "--scope", "operate").stdout.strip()
    station_id = f"OTEL-API-{uuid.uuid4().hex[:8]}"
    async with (
        connected_station(traced.config.edge_url(0), station_id, PASSWORD, OcppVersion.V201),
        api_client(traced, key) as http,
    ):

        async def command() -> httpx.Response:
            return await http.post(f"/api/v1/stations/{station_id}/commands/clear-cache", json={})

        answer = await eventually(command, lambda a: a.status_code == 200, timeout_s=60, what="clear-cache answered")
    assert answer.json()["result"] == {"status": "accepted"}

    (send,) = await spans_where(
        receiver,
        lambda s: (
            s.name == "ocpp.send"
            and s.attributes.get("ocpp.station_id") == station_id
            and s.attributes.get("ocpp.action") == "ClearCache"
        ),
        "the edge's send span of the ClearCache CALL",
    )
    chain = [send]
    while chain[-1].service != "csms-api" or chain[-1].kind != SERVER:
        (parent,) = await spans_where(receiver, lambda s: chain[-1].is_child_of(s), f"the parent of {chain[-1].name}")
        chain.append(parent)
    assert [(s.service, s.name) for s in chain if s.kind in (SERVER, CLIENT)] == [
        ("csms-edge", SEND_CALL_EDGE),
        ("csms-device-model", SEND_CALL_EDGE),
        ("csms-device-model", SEND_COMMAND),
        ("csms-api", SEND_COMMAND),
        ("csms-api", "POST /api/v1/stations/{station_id}/commands/{command_name}"),
    ]
