"""Monitoring and events end to end (OCPP 2.x block N), a 2.0.1 and a 2.1 station: a monitor set through the API
(`set-variable-monitoring`), an event of it reported with NotifyEvent (twice, as after a reconnect) stored once
(`/api/v1/stations/{id}/events`, its severity from the monitor) and seen on the live stream;
get-monitoring-report's NotifyMonitoringReport parts (out of order, one repeated) stored (`/monitors`);
customer-information's NotifyCustomerInformation parts assembled (`/customer-information/{request_id}`, and
`csms monitoring customer-information`)."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from csms_devtools.stack import Stack
from csms_kernel.ocpp.versions import OcppVersion
from kit.api import answered, register
from kit.live_events_server import SseStream
from kit.stack import PASSWORD, Cli, connected
from kit.stations.ocpp_client import connected_station
from kit.waiting import eventually

pytestmark = pytest.mark.e2e

GENERATED = "2026-11-21T12:00:05Z"


def request_id_of(station: Any, action: str) -> int:
    (found,) = [request for name, request in station.received.calls if name == action]
    return int(found["requestId"])


@pytest.mark.parametrize("version", [OcppVersion.V201, OcppVersion.V21])
async def test_monitoring_events_reports_and_customer_information(
    stack: Stack, admin: httpx.AsyncClient, operator: httpx.AsyncClient, cli: Cli, version: OcppVersion
) -> None:
    station_id = await register(admin, f"E2E-MON-{version.schema_dir}")
    async with connected_station(stack.config.edge_url(0), station_id, PASSWORD, version) as station:
        call = station.calls
        await station.boot()
        await connected(stack, station_id)
        live = SseStream(operator, f"/api/v1/events?station_id={station_id}&type=station.event")
        await live.opened()

        set_ = await answered(
            operator,
            station_id,
            "set-variable-monitoring",
            {"monitors": [{"target": {"component": "Connector", "variable": "Temperature", "evse_id": 1},
                           "type": "upper_threshold", "value": 80, "severity": 2}]},
        )  # fmt: skip
        assert [(r["id"], r["status"]) for r in set_["result"]["results"]] == [(100, "accepted")]
        monitors = await eventually(
            lambda: operator.get(f"/api/v1/stations/{station_id}/monitors"),
            lambda answer: answer.status_code == 200 and len(answer.json()["monitors"]) == 1,
            what="the monitor set",
        )
        assert {k: monitors.json()["monitors"][0][k] for k in ("id", "type", "value", "severity", "source")} == {
            "id": 100, "type": "UpperThreshold", "value": 80.0, "severity": 2, "source": "set",
        }  # fmt: skip

        notify = call.NotifyEvent(
            generated_at=GENERATED,
            seq_no=0,
            event_data=[
                {
                    "event_id": 1,
                    "timestamp": "2026-11-21T12:00:00Z",
                    "trigger": "Alerting",
                    "actual_value": "85",
                    "tech_info": "connector too hot",
                    "variable_monitoring_id": 100,
                    "event_notification_type": "CustomMonitor",
                    "component": {"name": "Connector", "evse": {"id": 1}},
                    "variable": {"name": "Temperature"},
                }
            ],
        )
        await station.call(notify)
        await station.call(notify)  # sent again (a new message id): stored once
        (kind, data), *_ = await live.wait({station_id}, 1)
        assert (kind, data["event_id"], data["actual_value"], data["tech_info"]) == (
            "station.event", 1, "85", "connector too hot",
        )  # fmt: skip
        events = await eventually(
            lambda: operator.get(f"/api/v1/stations/{station_id}/events", params={"severity": 2}),
            lambda answer: answer.status_code == 200 and len(answer.json()["items"]) >= 1,
            what="the event stored",
        )
        assert [(e["event_id"], e["severity"], e["cleared"]) for e in events.json()["items"]] == [(1, 2, False)]
        await live.close()

        await answered(operator, station_id, "get-monitoring-report", {"criteria": ["threshold"]})
        report_id = request_id_of(station, "GetMonitoringReport")
        monitor = {
            "component": {"name": "EVSE"},
            "variable": {"name": "Power"},
            "variable_monitoring": [
                {"id": 7, "transaction": False, "value": 22000, "type": "UpperThreshold", "severity": 4}
                | ({"event_notification_type": "CustomMonitor"} if version is OcppVersion.V21 else {})
            ],
        }
        last = call.NotifyMonitoringReport(request_id=report_id, seq_no=1, generated_at=GENERATED, monitor=[monitor])
        first = call.NotifyMonitoringReport(request_id=report_id, seq_no=0, generated_at=GENERATED, tbc=True)
        for part in (last, first, last):
            await station.call(part)
        reports = await eventually(  # parts and monitors are separate rows: "complete" can show first
            lambda: operator.get(f"/api/v1/stations/{station_id}/monitors"),
            lambda answer: (
                any(r["status"] == "complete" for r in answer.json()["reports"]) and len(answer.json()["monitors"]) == 2
            ),
            what="the monitoring report complete and its monitor stored",
        )
        assert reports.json()["reports"] == [
            {"request_id": report_id, "status": "complete", "parts_received": 2, "missing_seq_nos": [], "monitors": 1,
             "updated_at": reports.json()["reports"][0]["updated_at"]}
        ]  # fmt: skip
        assert sorted(m["id"] for m in reports.json()["monitors"]) == [7, 100]

        await answered(operator, station_id, "customer-information", {"customer_identifier": "customer-7"})
        information_id = request_id_of(station, "CustomerInformation")
        for seq_no, data, tbc in ((1, "3 sessions", False), (0, "customer-7: ", True), (1, "3 sessions", False)):
            await station.call(
                call.NotifyCustomerInformation(
                    data=data, seq_no=seq_no, generated_at=GENERATED, request_id=information_id, tbc=tbc
                )
            )
        assembled = await eventually(
            lambda: operator.get(f"/api/v1/stations/{station_id}/customer-information/{information_id}"),
            lambda answer: answer.status_code == 200 and answer.json()["status"] == "complete",
            what="the customer information assembled",
        )
        assert (assembled.json()["data"], assembled.json()["parts_received"]) == ("customer-7: 3 sessions", 2)
        shown = cli("monitoring", "customer-information", station_id, str(information_id), "--json")
        assert shown.returncode == 0, shown.stderr
        assert json.loads(shown.stdout)["data"] == "customer-7: 3 sessions"
