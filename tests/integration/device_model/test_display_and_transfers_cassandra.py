"""The display messages and DataTransfer log read models on the migrated schema: the device projection's writes
applied in any order (and twice) converge, and the Cassandra reads give them back, newest first and page by page."""

from __future__ import annotations

import itertools
import json
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from csms.device_model.v1 import device_model_pb2 as dm
from csms.envelope.v1 import envelope_pb2
from csms_device_model.adapters.display_and_transfers import CassandraDisplayAndTransfers, encode_page_token
from csms_device_model.projections import device
from csms_kernel.infra.cassandra import CassandraSession
from csms_kernel.infra.envelopes import timestamp
from csms_kernel.projecting.writes import CassandraWriter

pytestmark = pytest.mark.integration

T0 = datetime(2026, 12, 6, 10, tzinfo=UTC)


def at(seconds: float) -> Any:
    return timestamp(T0 + timedelta(seconds=seconds))


def command(station_id: str, name: str, params: dict[str, Any], result: dict[str, Any], sent: float) -> Any:
    record = dm.Command(
        command_id=f"cmd-{sent}",
        station_id=station_id,
        command=name,
        params_json=json.dumps(params),
        result_json=json.dumps(result),
        sent_at=at(sent),
        finished_at=at(sent + 0.5),
    )
    return dm.DeviceModelEvent(station_id=station_id, command_answered=dm.CommandAnswered(command=record))


def report(station_id: str, when: float, *messages: dm.DisplayMessage) -> dm.DeviceModelEvent:
    return dm.DeviceModelEvent(
        station_id=station_id,
        occurred_at=at(when),
        display_messages_reported=dm.DisplayMessagesReported(request_id=5, messages=messages),
    )


async def project(session: CassandraSession, events: list[dm.DeviceModelEvent]) -> None:
    await CassandraWriter(session, "csms_device_model").apply(device.writes(events, None))


async def test_display_messages_converge_in_any_order(session: CassandraSession) -> None:
    reads = CassandraDisplayAndTransfers(session)
    events = lambda station: [  # noqa: E731
        # t=1: message 1 set; t=2: message 2 set; t=3: message 2 cleared; t=10: the station asked for everything
        # (what it had before is forgotten), t=11: it reports message 1 (changed) and 3 (set on the station itself)
        command(
            station, "set-display-message", {"id": 1, "priority": "in_front", "content": "a"}, {"status": "accepted"}, 1
        ),
        command(
            station, "set-display-message", {"id": 2, "priority": "in_front", "content": "b"}, {"status": "accepted"}, 2
        ),
        command(station, "clear-display-message", {"id": 2}, {"status": "accepted"}, 3),
        command(
            station, "set-display-message", {"id": 4, "priority": "in_front", "content": "d"}, {"status": "accepted"}, 4
        ),
        command(station, "get-display-messages", {"request_id": 5}, {"status": "accepted", "request_id": 5}, 10),
        report(
            station,
            11,
            dm.DisplayMessage(id=1, priority="always_front", format="utf8", content="a2"),
            dm.DisplayMessage(id=3, priority="normal_cycle", format="html", content="c", display_name="Display"),
        ),
        command(
            station,
            "set-display-message",
            {"id": 6, "priority": "in_front", "content": "f"},
            {"status": "accepted"},
            12,
        ),
    ]
    results = []
    for order in (lambda e: e, lambda e: list(reversed(e)), lambda e: e[3:] + e[:3] + e):
        station = f"DM-{uuid.uuid4().hex[:8]}"
        await project(session, order(events(station)))
        found = await reads.display_messages(station)
        results.append([(m.id, m.priority, m.content, m.display_name, m.source) for m in found])
    assert results[0] == [
        (1, "always_front", "a2", "", "report 5"),
        (3, "normal_cycle", "c", "Display", "report 5"),
        (6, "in_front", "f", "", "command cmd-12"),
    ]
    assert results[1] == results[0] and results[2] == results[0]


def transfer_in(station_id: str, n: int) -> dm.DeviceModelEvent:
    return dm.DeviceModelEvent(
        station_id=station_id,
        ocpp_version=envelope_pb2.OCPP_VERSION_201,
        message_id=f"m-{n}",
        occurred_at=at(n),
        data_transfer_received=dm.DataTransferReceived(
            vendor_id="org.csms.ocmf", vendor_message_id="SignedMeterValue", data_json='"OCMF|"', status="rejected"
        ),
    )


def transfer_out(station_id: str, which: str, answered: bool) -> dm.DeviceModelEvent:
    record = dm.Command(
        command_id="cmd-out",
        station_id=station_id,
        command="data-transfer",
        ocpp_version=envelope_pb2.OCPP_VERSION_16,
        request_json=json.dumps([{"action": "DataTransfer", "payload": {"vendorId": "ACME", "data": "x"}}]),
        response_json=json.dumps([[3, "x", {"status": "Accepted", "data": "y"}]]) if answered else "",
        sent_at=at(2.5),
    )
    event = dm.DeviceModelEvent(station_id=station_id, occurred_at=at(3 if answered else 2.5))
    getattr(event, which).command.CopyFrom(record)
    return event


async def test_the_data_transfer_log_newest_first_page_by_page(session: CassandraSession) -> None:
    station = f"DT-{uuid.uuid4().hex[:8]}"
    reads = CassandraDisplayAndTransfers(session)
    # the answer projected before its "sent" row: the answer stays (later event time)
    events = [transfer_in(station, n) for n in (1, 2, 4)]
    events += [transfer_out(station, "command_answered", True), transfer_out(station, "command_sent", False)]
    await project(session, events + events)
    pages = []
    token = ""
    for _ in itertools.count():
        page, token = await reads.data_transfers(station, 2, token)
        pages.append([(t.transfer_id, t.direction, t.status) for t in page])
        if not token:
            break
    assert pages == [
        [("m-4", "station_to_csms", "rejected"), ("cmd-out/0", "csms_to_station", "accepted")],
        [("m-2", "station_to_csms", "rejected"), ("m-1", "station_to_csms", "rejected")],
    ]
    (out,) = [t for t in (await reads.data_transfers(station, 10, ""))[0] if t.direction == "csms_to_station"]
    assert (out.vendor_id, out.data_json, out.response_data_json, out.command_id, out.ocpp_version) == (
        "ACME",
        '"x"',
        '"y"',
        "cmd-out",
        envelope_pb2.OCPP_VERSION_16,
    )
    assert (await reads.data_transfers(f"{station}-none", 10, "")) == ([], "")
    with pytest.raises(ValueError, match="invalid page token"):
        await reads.data_transfers("other", 2, encode_page_token(station, T0, "m-2"))
