"""`/api/v1/stations/{id}/device-model` and `/reports`: filters reach GetDeviceModel, the page and its cursor,
the JSON shape, bad filters refused."""

from __future__ import annotations

from csms.device_model.v1 import device_model_pb2 as dm
from csms_api.domain.keys import Scope
from kit.builders.api import Api


def variables(count: int) -> list[dm.DeviceVariable]:
    return [
        dm.DeviceVariable(component="C", variable=f"V{i:03d}", attribute_type="Actual", value=str(i))
        for i in range(count)
    ]


async def test_the_inventory_filtered_and_paged(api: Api) -> None:
    power = dm.DeviceVariable(
        component="EVSE",
        evse_id=1,
        connector_id=2,
        variable="Power",
        attribute_type="MaxSet",
        value="22000",
        characteristics=dm.VariableCharacteristics(unit="W", data_type="decimal", max_limit=22000),
        report_request_id=42,
    )
    api.device_model.variables["CP-1"] = [*variables(3), power]
    async with await api.as_(Scope.READ) as client:
        first = (await client.get("/api/v1/stations/CP-1/device-model", params={"limit": 2})).json()
        second = (
            await client.get("/api/v1/stations/CP-1/device-model", params={"limit": 2, "cursor": first["next_cursor"]})
        ).json()
        evse = (
            await client.get(
                "/api/v1/stations/CP-1/device-model",
                params={"component": "EVSE", "variable": "Power", "evse_id": 1, "attribute_type": "MaxSet"},
            )
        ).json()
        mixed = await client.get(
            "/api/v1/stations/CP-1/device-model", params={"component": "EVSE", "cursor": first["next_cursor"]}
        )
        bad = await client.get("/api/v1/stations/CP-1/device-model", params={"attribute_type": "Current"})
    assert [v["variable"] for v in first["items"] + second["items"]] == ["V000", "V001", "V002", "Power"]
    assert second["next_cursor"] is not None  # a full page (the fake cannot tell it was the last)
    assert evse == {
        "items": [
            {
                "component": "EVSE",
                "component_instance": None,
                "evse_id": 1,
                "connector_id": 2,
                "variable": "Power",
                "variable_instance": None,
                "attribute_type": "MaxSet",
                "value": "22000",
                "mutability": None,
                "persistent": False,
                "constant": False,
                "characteristics": {
                    "unit": "W",
                    "data_type": "decimal",
                    "min_limit": None,
                    "max_limit": 22000.0,
                    "values_list": None,
                    "supports_monitoring": False,
                    "max_elements": None,
                },
                "report_request_id": 42,
                "reported_at": None,
                "get_status": None,
                "read_at": None,
                "set_value": None,
                "set_status": None,
                "set_at": None,
                "set_command_id": None,
            }
        ],
        "next_cursor": None,
    }
    _, request = api.device_model.calls[-1]
    assert request == dm.GetDeviceModelRequest(
        station_id="CP-1", component="EVSE", variable="Power", evse_id=1, attribute_type="MaxSet", page_size=500
    )
    assert mixed.status_code == 422 and mixed.json()["errors"][0]["field"] == "query.cursor"
    assert bad.status_code == 422


async def test_reports(api: Api) -> None:
    api.device_model.reports["CP-1"] = [
        dm.Report(
            request_id=42,
            state="complete",
            command_id="cmd-1",
            command="get-base-report",
            params_json='{"report_base": "full_inventory", "request_id": 42}',
            answer_status="accepted",
            parts_received=3,
            last_seq_no=2,
            variables_received=300,
        )
    ]
    async with await api.as_(Scope.READ) as client:
        found = (await client.get("/api/v1/stations/CP-1/reports")).json()
    assert found == [
        {
            "request_id": 42,
            "state": "complete",
            "command_id": "cmd-1",
            "command": "get-base-report",
            "params": {"report_base": "full_inventory", "request_id": 42},
            "answer_status": "accepted",
            "failure": None,
            "requested_at": None,
            "parts_received": 3,
            "last_seq_no": 2,
            "missing_seq_nos": [],
            "variables_received": 300,
            "first_part_at": None,
            "last_part_at": None,
        }
    ]
