"""The device model inventory end to end (docs/adr/0032): a 2.0.1 station asked for its base report through the
API answers with a 300-variable NotifyReport in five parts sent out of order with one part repeated, and the
inventory read through `/api/v1/stations/{id}/device-model` is exactly what it reported (nothing lost or doubled),
the report complete in `/reports`; a set-configuration then shows in the inventory; an unsolicited report is kept
and marked. A 2.1 station likewise (smaller) and a rejected GetReport marked failed. A 1.6 station's
GetConfiguration and ChangeConfiguration fill the same model (component OCPP16), shown by `csms device-model`.
The NotifyReport benchmark (loadtest/bench_notify_report.py) runs, at a tiny size."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from csms_devtools.stack import Stack
from csms_kernel.ocpp.versions import OcppVersion
from kit.api import command, register, unique
from kit.stack import PASSWORD, Cli, connected
from kit.stations.ocpp_client import connected_station
from kit.waiting import eventually
from loadtest.bench_notify_report import Settings, ingest

pytestmark = pytest.mark.e2e

V16, V201, V21 = OcppVersion.V16, OcppVersion.V201, OcppVersion.V21
GENERATED_AT = "2026-11-21T11:00:00Z"
COMPONENTS = ("AlignedDataCtrlr", "ChargingStation", "EVSE", "Connector", "SampledDataCtrlr", "OCPPCommCtrlr")

Row = tuple[Any, ...]


def report_data(count: int) -> list[dict[str, Any]]:
    """`count` ReportDataType (snake_case): components with and without instances, EVSEs and connectors; every
    variable an Actual attribute, every fourth also Target and MaxSet, every third characteristics. The first is
    OCPPCommCtrlr.HeartbeatInterval."""
    found: list[dict[str, Any]] = [
        {
            "component": {"name": "OCPPCommCtrlr"},
            "variable": {"name": "HeartbeatInterval"},
            "variable_attribute": [{"type": "Actual", "value": "300", "mutability": "ReadWrite", "persistent": True}],
            "variable_characteristics": {
                "unit": "s",
                "data_type": "integer",
                "min_limit": 1,
                "supports_monitoring": True,
            },
        }
    ]
    for i in range(1, count):
        name = COMPONENTS[i % len(COMPONENTS)]
        component: dict[str, Any] = {"name": name}
        if name == "EVSE":
            component["evse"] = {"id": 1 + (i // 6) % 2}
        elif name == "Connector":
            component["evse"] = {"id": 1 + i % 2, "connector_id": 1 + i % 3}
        elif i % 5 == 0:
            component["instance"] = f"inst{i % 2}"
        variable: dict[str, Any] = {"name": f"Var{i:04d}"}
        if i % 7 == 0:
            variable["instance"] = "L1"
        attributes: list[dict[str, Any]] = [{"value": f"v{i}", "mutability": "ReadOnly", "constant": i % 2 == 0}]
        if i % 4 == 0:
            attributes += [{"type": "Target", "value": f"t{i}"}, {"type": "MaxSet", "value": str(i * 10)}]
        data: dict[str, Any] = {"component": component, "variable": variable, "variable_attribute": attributes}
        if i % 3 == 0:
            data["variable_characteristics"] = {"data_type": "decimal", "max_limit": i, "supports_monitoring": False}
        found.append(data)
    return found


def expected(data: list[dict[str, Any]]) -> set[Row]:
    rows = set()
    for item in data:
        component, variable = item["component"], item["variable"]
        evse = component.get("evse") or {}
        for attribute in item["variable_attribute"]:
            rows.add(
                (
                    component["name"],
                    component.get("instance"),
                    evse.get("id"),
                    evse.get("connector_id"),
                    variable["name"],
                    variable.get("instance"),
                    attribute.get("type", "Actual"),
                    attribute.get("value"),
                    attribute.get("mutability", "ReadWrite"),
                )
            )
    return rows


def row(found: dict[str, Any]) -> Row:
    return tuple(
        found[name]
        for name in (
            "component",
            "component_instance",
            "evse_id",
            "connector_id",
            "variable",
            "variable_instance",
            "attribute_type",
            "value",
            "mutability",
        )
    )


async def inventory(http: httpx.AsyncClient, station_id: str, **filters: Any) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    params: dict[str, Any] = {"limit": 100, **filters}
    while True:
        answer = await http.get(f"/api/v1/stations/{station_id}/device-model", params=params)
        assert answer.status_code == 200, answer.text
        page = answer.json()
        found += page["items"]
        if page["next_cursor"] is None:
            return found
        params["cursor"] = page["next_cursor"]


async def reports(http: httpx.AsyncClient, station_id: str) -> dict[int, dict[str, Any]]:
    answer = await http.get(f"/api/v1/stations/{station_id}/reports")
    assert answer.status_code == 200, answer.text
    return {report["request_id"]: report for report in answer.json()}


async def send_parts(station: Any, request_id: int, data: list[dict[str, Any]], size: int, order: list[int]) -> None:
    chunks = [data[i : i + size] for i in range(0, len(data), size)]
    for seq_no in order:
        request = station.calls.NotifyReport(
            request_id=request_id,
            generated_at=GENERATED_AT,
            seq_no=seq_no,
            tbc=seq_no < len(chunks) - 1,
            report_data=chunks[seq_no],
        )
        await station.call(request)


async def a_report_assembled_exactly(
    stack: Stack, operator: httpx.AsyncClient, station: Any, station_id: str, count: int, size: int
) -> None:
    """The station boots, is asked for its full inventory, sends `count` variables in parts of `size` out of order
    with the first repeated; the inventory is exactly what it sent."""
    assert (await station.boot()).status == "Accepted"
    await connected(stack, station_id)
    asked = await command(operator, station_id, "get-base-report", {"report_base": "full_inventory"})
    request_id = asked["params"]["request_id"]
    assert (asked["state"], asked["result"]) == ("answered", {"status": "accepted"})
    assert station.received.calls == [("GetBaseReport", {"requestId": request_id, "reportBase": "FullInventory"})]

    data = report_data(count)
    parts = -(-count // size)
    order = [parts - 2, 0, parts - 1, *range(1, parts - 2), 0]  # out of order, the first part repeated
    await send_parts(station, request_id, data, size, order)
    done = await eventually(
        lambda: reports(operator, station_id),
        lambda found: request_id in found and found[request_id]["state"] == "complete",
        timeout_s=60,
        what="the report complete",
    )
    report = done[request_id]
    assert (report["parts_received"], report["last_seq_no"], report["missing_seq_nos"]) == (parts, parts - 1, [])
    assert (report["variables_received"], report["command"], report["answer_status"]) == (
        count,
        "get-base-report",
        "accepted",
    )
    found = await inventory(operator, station_id)
    assert len(found) == len(expected(data))
    assert {row(v) for v in found} == expected(data)
    assert all(v["report_request_id"] == request_id for v in found)
    (heartbeat,) = await inventory(operator, station_id, component="OCPPCommCtrlr", variable="HeartbeatInterval")
    assert heartbeat["characteristics"] == {
        "unit": "s",
        "data_type": "integer",
        "min_limit": 1.0,
        "max_limit": None,
        "values_list": None,
        "supports_monitoring": True,
        "max_elements": None,
    }


async def test_a_2_0_1_report_of_300_variables_out_of_order_and_repeated_is_assembled_exactly(
    stack: Stack, admin: httpx.AsyncClient, operator: httpx.AsyncClient
) -> None:
    station_id = await register(admin, "E2E-DM-201")
    async with connected_station(stack.config.edge_url(0), station_id, PASSWORD, V201) as station:
        await a_report_assembled_exactly(stack, operator, station, station_id, 300, 60)
        await command(
            operator, station_id, "set-configuration", {"key": "OCPPCommCtrlr.HeartbeatInterval", "value": 60}
        )

        async def heartbeat() -> dict[str, Any]:
            (found,) = await inventory(operator, station_id, component="OCPPCommCtrlr", variable="HeartbeatInterval")
            return found

        found = await eventually(heartbeat, lambda v: v["set_status"] == "Accepted", what="the set recorded")
        assert (found["value"], found["set_value"], found["mutability"]) == ("60", "60", "ReadWrite")

        await send_parts(station, 999_999, report_data(2), 10, [0])
        unsolicited = await eventually(
            lambda: reports(operator, station_id),
            lambda r: 999_999 in r,
            what="the unsolicited report",
        )
        assert (unsolicited[999_999]["state"], unsolicited[999_999]["command"]) == ("unsolicited", None)
        evse_2 = await inventory(operator, station_id, component="EVSE", evse_id=2, attribute_type="Actual")
        assert evse_2 and {(v["component"], v["evse_id"], v["attribute_type"]) for v in evse_2} == {
            ("EVSE", 2, "Actual")
        }


async def test_a_2_1_report_is_assembled_and_a_rejected_get_report_fails(
    stack: Stack, admin: httpx.AsyncClient, operator: httpx.AsyncClient
) -> None:
    station_id = await register(admin, "E2E-DM-21")
    async with connected_station(stack.config.edge_url(0), station_id, PASSWORD, V21) as station:
        await a_report_assembled_exactly(stack, operator, station, station_id, 40, 9)
        station.report_status = "Rejected"
        asked = await command(operator, station_id, "get-report", {"component_criteria": ["problem"]})
        assert asked["result"] == {"status": "rejected"}
        request_id = asked["params"]["request_id"]
        found = await eventually(
            lambda: reports(operator, station_id),
            lambda r: request_id in r and r[request_id]["state"] == "failed",
            what="the rejected report failed",
        )
        assert (found[request_id]["command"], found[request_id]["answer_status"]) == ("get-report", "rejected")


async def test_a_1_6_station_s_configuration_fills_the_same_model(
    stack: Stack, admin: httpx.AsyncClient, operator: httpx.AsyncClient, cli: Cli
) -> None:
    station_id = await register(admin, "E2E-DM-16")
    async with connected_station(stack.config.edge_url(0), station_id, PASSWORD, V16) as station:
        assert (await station.boot()).status == "Accepted"
        await connected(stack, station_id)
        await command(operator, station_id, "get-configuration", {})
        found = await eventually(
            lambda: inventory(operator, station_id, component="OCPP16"), lambda v: len(v) == 3, what="the keys"
        )
        assert {(v["variable"], v["value"], v["mutability"], v["get_status"]) for v in found} == {
            ("HeartbeatInterval", "300", "ReadWrite", "Accepted"),
            ("MeterValueSampleInterval", "60", "ReadWrite", "Accepted"),
            ("NumberOfConnectors", "2", "ReadOnly", "Accepted"),
        }
        await command(operator, station_id, "set-configuration", {"key": "HeartbeatInterval", "value": 120})
        await eventually(
            lambda: inventory(operator, station_id, component="OCPP16", variable="HeartbeatInterval"),
            lambda v: v[0]["set_status"] == "Accepted" and v[0]["value"] == "120",
            what="the change recorded",
        )
        assert station.configuration["HeartbeatInterval"] == "120"
    shown = cli("device-model", "show", station_id, "--component", "OCPP16", "--json")
    assert shown.returncode == 0, shown.stderr
    assert {(v["variable"], v.get("value")) for v in json.loads(shown.stdout)} == {
        ("HeartbeatInterval", "120"),
        ("MeterValueSampleInterval", "60"),
        ("NumberOfConnectors", "2"),
    }
    refused = await operator.post(
        f"/api/v1/stations/{station_id}/commands/get-base-report", json={"report_base": "full_inventory"}
    )
    assert refused.status_code == 422 and "OCPP 1.6 has no device model report" in refused.text


async def test_the_notify_report_benchmark_runs(stack: Stack, keys: dict[str, str]) -> None:
    settings = Settings(
        api=stack.config.api_url,
        edge_url=stack.config.edge_url(0),
        admin_key=keys["admin"],
        operate_key=keys["operate"],
        variables=30,
        part_size=7,
        timeout_s=60,
    )
    result = await ingest(settings, unique("E2E-BENCH-NR"))
    assert (result.parts, result.attributes) == (5, 38)
    assert 0 < result.send_s <= result.complete_s
    assert "38 attributes in 5 parts" in result.report()
