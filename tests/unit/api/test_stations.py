"""`/api/v1/stations`: a station is its registration joined with its device-model projection; list (filters
across both services, cursors over registration pages), create (409 when registered), get, update, delete."""

from __future__ import annotations

from typing import Any

import grpc
import httpx
import pytest
from google.protobuf.timestamp_pb2 import Timestamp

from csms.authorization.v1 import authorization_pb2 as authz
from csms.device_model.v1 import device_model_pb2 as dm
from csms.envelope.v1 import envelope_pb2
from csms_api.app.stations import StationDirectory, StationFilters
from csms_api.domain.keys import Scope
from kit.builders.api import Api
from kit.fakes.api import FakeAuthorization, FakeDeviceModel

T0 = Timestamp(seconds=1_796_000_000)


def booted(device_model: FakeDeviceModel, station_id: str, *, connected: bool = True, **fields: Any) -> None:
    station = device_model.connect(
        station_id,
        ocpp_version=fields.pop("ocpp_version", envelope_pb2.OCPP_VERSION_201),
        vendor=fields.pop("vendor", "ACME"),
        model=fields.pop("model", "AC-22"),
        last_boot_at=T0,
        **fields,
    )
    station.connected = connected


async def listed(
    client: httpx.AsyncClient, filters: dict[str, str] | None = None, limit: int = 50
) -> tuple[list[str], list[str | None]]:
    """The station ids of every page, and the cursors that led there."""
    ids: list[str] = []
    cursors: list[str | None] = []
    cursor: str | None = None
    while True:
        params: dict[str, Any] = {**(filters or {}), "limit": limit}
        if cursor is not None:
            params["cursor"] = cursor
        answer = await client.get("/api/v1/stations", params=params)
        assert answer.status_code == 200, answer.text
        page = answer.json()
        assert len(page["items"]) <= limit
        ids += [item["station_id"] for item in page["items"]]
        cursor = page["next_cursor"]
        cursors.append(cursor)
        if cursor is None:
            return ids, cursors


async def test_get_joins_the_registration_and_the_projection(api: Api) -> None:
    api.authorization.register("CP-1", group="site-a", profile=2)
    api.authorization.stations["CP-1"].created_at.CopyFrom(T0)
    booted(
        api.device_model,
        "CP-1",
        edge_node_id="edge-1",
        connection_id="conn-7",
        edge_address="10.0.0.5:50060",
        serial_number="SN-1",
        firmware_version="1.2",
        boot_reason="PowerUp",
        registration_status="Accepted",
        last_seen_at=T0,
        connectors=[
            dm.ConnectorStatus(evse_id=1, connector_id=1, status="Charging", error_code="NoError", updated_at=T0)
        ],
    )
    async with await api.as_(Scope.READ) as client:
        answer = await client.get("/api/v1/stations/CP-1")
    assert answer.status_code == 200
    assert answer.json() == {
        "station_id": "CP-1",
        "registration": {
            "security_profile": 2,
            "group": "site-a",
            "enabled": True,
            "created_at": "2026-11-30T00:53:20Z",
            "updated_at": None,
            "pending_security_profile": None,
            "password_rotation_pending": False,
        },
        "connected": True,
        "ocpp_version": "2.0.1",
        "connection": {"edge_node_id": "edge-1", "connection_id": "conn-7", "edge_address": "10.0.0.5:50060"},
        "boot": {
            "vendor": "ACME",
            "model": "AC-22",
            "serial_number": "SN-1",
            "firmware_version": "1.2",
            "reason": "PowerUp",
            "booted_at": "2026-11-30T00:53:20Z",
            "registration_status": "Accepted",
        },
        "last_seen_at": "2026-11-30T00:53:20Z",
        "connectors": [
            {
                "evse_id": 1,
                "connector_id": 1,
                "status": "Charging",
                "error_code": "NoError",
                "updated_at": "2026-11-30T00:53:20Z",
                "reserved_by": None,
            }
        ],
    }


async def test_a_station_that_never_connected_has_no_projection(api: Api) -> None:
    api.authorization.register("CP-1")
    async with await api.as_(Scope.READ) as client:
        station = (await client.get("/api/v1/stations/CP-1")).json()
    assert (station["connected"], station["ocpp_version"], station["connection"], station["boot"]) == (
        False,
        None,
        None,
        None,
    )
    assert station["connectors"] == []


async def test_a_profile_3_station_is_created_without_a_password(api: Api) -> None:
    async with await api.as_(Scope.ADMIN) as client:
        answer = await client.post("/api/v1/stations", json={"station_id": "CP-3", "security_profile": 3})
    assert answer.status_code == 201
    assert api.authorization.requests("register_station") == [
        authz.RegisterStationRequest(station_id="CP-3", password="", security_profile=3)
    ]


async def test_a_rotation_and_an_upgrade_under_way_are_shown(api: Api) -> None:
    api.authorization.register("CP-1", profile=1)
    api.authorization.stations["CP-1"].pending_security_profile = 3
    api.authorization.stations["CP-1"].password_rotation_pending = True
    async with await api.as_(Scope.READ) as client:
        answer = await client.get("/api/v1/stations/CP-1")
    registration = answer.json()["registration"]
    assert (registration["pending_security_profile"], registration["password_rotation_pending"]) == (3, True)


async def test_an_unregistered_station_device_model_knows_has_no_registration(api: Api) -> None:
    booted(api.device_model, "CP-9", connected=False)
    async with await api.as_(Scope.READ) as client:
        station = (await client.get("/api/v1/stations/CP-9")).json()
    assert (station["registration"], station["connected"], station["connection"]) == (None, False, None)


async def test_a_station_neither_service_knows_is_404(api: Api) -> None:
    async with await api.as_(Scope.READ) as client:
        answer = await client.get("/api/v1/stations/CP-404")
    assert (answer.status_code, answer.json()["detail"]) == (
        404,
        "station CP-404 is neither registered nor known to device-model",
    )


async def test_create_registers_and_answers_201_with_the_station(api: Api) -> None:
    async with await api.as_(Scope.ADMIN) as client:
        answer = await client.post(
            "/api/v1/stations",
            json={"station_id": "CP/7", "password": "p" * 20, "security_profile": 2, "group": "site-a"},
        )
    assert answer.status_code == 201
    assert answer.headers["location"] == "/api/v1/stations/CP%2F7"
    assert answer.json()["registration"]["group"] == "site-a"
    assert api.authorization.requests("register_station") == [
        authz.RegisterStationRequest(station_id="CP/7", password="p" * 20, security_profile=2, group="site-a")
    ]


async def test_create_of_a_registered_station_is_409_and_changes_nothing(api: Api) -> None:
    api.authorization.register("CP-1")
    async with await api.as_(Scope.ADMIN) as client:
        answer = await client.post("/api/v1/stations", json={"station_id": "CP-1", "password": "p" * 20})
    assert (answer.status_code, answer.json()["type"]) == (409, "urn:csms:problem:conflict")
    assert answer.json()["detail"] == "station CP-1 is already registered"
    assert api.authorization.requests("register_station") == []


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"password": "p" * 20}, "body.station_id"),
        ({"station_id": "CP-1", "password": 5}, "body.password"),
        ({"station_id": "CP-1", "password": "p" * 20, "security_profile": 4}, "body.security_profile"),
        ({"station_id": "x" * 49, "password": "p" * 20}, "body.station_id"),
    ],
)
async def test_create_with_a_bad_field_is_422_naming_it(api: Api, body: dict[str, Any], field: str) -> None:
    async with await api.as_(Scope.ADMIN) as client:
        answer = await client.post("/api/v1/stations", json=body)
    assert answer.status_code == 422
    assert [error["field"] for error in answer.json()["errors"]] == [field]


async def test_create_refused_by_the_registry_is_422_with_its_reason(api: Api) -> None:
    async with await api.as_(Scope.ADMIN) as client:
        answer = await client.post("/api/v1/stations", json={"station_id": "CP-1", "password": "short"})
    assert (answer.status_code, answer.json()["detail"]) == (422, "password must be 16..64 characters")


async def test_update_sends_only_the_fields_given(api: Api) -> None:
    api.authorization.register("CP-1", group="site-a")
    async with await api.as_(Scope.ADMIN) as client:
        answer = await client.patch("/api/v1/stations/CP-1", json={"password": "n" * 20, "enabled": False})
        ungrouped = await client.patch("/api/v1/stations/CP-1", json={"group": None, "security_profile": 3})
    assert answer.status_code == 200
    assert answer.json()["registration"] == {
        "security_profile": 1,
        "group": "site-a",
        "enabled": False,
        "created_at": None,
        "updated_at": None,
        "pending_security_profile": None,
        "password_rotation_pending": False,
    }
    assert ungrouped.json()["registration"]["group"] is None
    first, second = api.authorization.requests("update_station")
    assert first == authz.UpdateStationRequest(station_id="CP-1", password="n" * 20, enabled=False)
    assert second == authz.UpdateStationRequest(station_id="CP-1", group="", security_profile=3)
    assert not first.HasField("group") and not second.HasField("enabled")


async def test_update_of_an_unknown_station_is_404(api: Api) -> None:
    async with await api.as_(Scope.ADMIN) as client:
        answer = await client.patch("/api/v1/stations/CP-9", json={"enabled": True})
    assert answer.status_code == 404


async def test_update_with_an_unknown_field_is_422(api: Api) -> None:
    async with await api.as_(Scope.ADMIN) as client:
        answer = await client.patch("/api/v1/stations/CP-1", json={"colour": "red"})
    assert [error["field"] for error in answer.json()["errors"]] == ["body.colour"]


async def test_delete_is_204_then_404(api: Api) -> None:
    api.authorization.register("CP-1")
    async with await api.as_(Scope.ADMIN) as client:
        first = await client.delete("/api/v1/stations/CP-1")
        second = await client.delete("/api/v1/stations/CP-1")
    assert (first.status_code, first.content) == (204, b"")
    assert (second.status_code, second.json()["detail"]) == (404, "station CP-1 is not registered")


async def test_list_pages_through_every_registered_station_once(api: Api) -> None:
    for i in range(7):
        api.authorization.register(f"CP-{i}")
    booted(api.device_model, "CP-3")
    async with await api.as_(Scope.READ) as client:
        ids, cursors = await listed(client, limit=3)
        first = (await client.get("/api/v1/stations", params={"limit": 3})).json()["items"]
    assert ids == [f"CP-{i}" for i in range(7)]
    assert len(cursors) == 3 and cursors[-1] is None
    assert [(item["station_id"], item["connected"]) for item in first] == [
        ("CP-0", False),
        ("CP-1", False),
        ("CP-2", False),
    ]


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({"connected": "true"}, ["CP-1", "CP-4"]),
        ({"connected": "false"}, ["CP-0", "CP-2", "CP-3", "CP-5"]),
        ({"status": "charging"}, ["CP-4"]),
        ({"ocpp_version": "1.6"}, ["CP-1"]),
        ({"vendor": "acme", "model": "ac-22"}, ["CP-2", "CP-4"]),
        ({"group": "site-b"}, ["CP-3", "CP-4"]),
        ({"group": "site-b", "connected": "true", "status": "Charging"}, ["CP-4"]),
        ({"group": "site-z"}, []),
    ],
)
async def test_list_filters_combine_across_both_services(
    api: Api, filters: dict[str, str], expected: list[str]
) -> None:
    for i in range(6):
        api.authorization.register(f"CP-{i}", group="site-b" if i in (3, 4) else "site-a")
    booted(api.device_model, "CP-1", ocpp_version=envelope_pb2.OCPP_VERSION_16, vendor="Other")
    booted(api.device_model, "CP-2", connected=False)
    booted(
        api.device_model,
        "CP-4",
        connectors=[dm.ConnectorStatus(evse_id=1, connector_id=1, status="Charging")],
    )
    async with await api.as_(Scope.READ) as client:
        for limit in (1, 2, 50):
            ids, _ = await listed(client, filters, limit)
            assert ids == expected


async def test_the_group_filter_holds_even_when_the_registry_ignores_it(api: Api) -> None:
    api.authorization.filters_groups = False
    for i in range(5):
        api.authorization.register(f"CP-{i}", group="site-b" if i % 2 else "site-a")
    async with await api.as_(Scope.READ) as client:
        ids, _ = await listed(client, {"group": "site-b"}, limit=1)
    assert ids == ["CP-1", "CP-3"]
    assert {request.group for request in api.authorization.requests("list_registered_stations")} == {"site-b"}


@pytest.mark.parametrize(
    ("query", "field", "kind"),
    [
        ("?limit=0", "query.limit", "greater_than_equal"),
        ("?limit=501", "query.limit", "less_than_equal"),
        ("?connected=maybe", "query.connected", "bool_parsing"),
        ("?ocpp_version=1.5", "query.ocpp_version", "literal_error"),
    ],
)
async def test_a_bad_query_is_422_naming_it(api: Api, query: str, field: str, kind: str) -> None:
    async with await api.as_(Scope.READ) as client:
        answer = await client.get(f"/api/v1/stations{query}")
    assert [(error["field"], error["type"]) for error in answer.json()["errors"]] == [(field, kind)]


async def test_a_cursor_is_refused_with_other_filters_or_when_tampered(api: Api) -> None:
    for i in range(3):
        api.authorization.register(f"CP-{i}", group="site-a")
    async with await api.as_(Scope.READ) as client:
        cursor = (await client.get("/api/v1/stations", params={"limit": 1, "group": "site-a"})).json()["next_cursor"]
        other_filters = await client.get("/api/v1/stations", params={"cursor": cursor, "group": "site-b"})
        tampered = await client.get("/api/v1/stations", params={"cursor": "x" + cursor, "group": "site-a"})
        elsewhere = await client.get("/api/v1/tokens", params={"cursor": cursor})
        same = await client.get("/api/v1/stations", params={"cursor": cursor, "group": "site-a", "limit": 1})
    for answer in (other_filters, tampered, elsewhere):
        assert answer.status_code == 422
        assert [error["field"] for error in answer.json()["errors"]] == ["query.cursor"]
        assert answer.json()["detail"].startswith("query.cursor: ")
    assert [item["station_id"] for item in same.json()["items"]] == ["CP-1"]


async def test_a_scan_stops_at_its_budget_and_the_cursor_goes_on() -> None:
    authorization, device_model = FakeAuthorization(), FakeDeviceModel()
    for i in range(250):
        authorization.register(f"CP-{i:03d}")
    booted(device_model, "CP-249")
    directory = StationDirectory(authorization, device_model, scan_budget=100)
    filters = StationFilters(connected=True)
    first, position = await directory.page(filters, 10, None)
    assert first == [] and position == ("CP-099", 0)
    second, position = await directory.page(filters, 10, position)
    assert second == [] and position is not None
    third, position = await directory.page(filters, 10, position)
    assert [view.station_id for view in third] == ["CP-249"] and position is None


async def test_a_page_ends_mid_registry_page_and_resumes_there() -> None:
    authorization, device_model = FakeAuthorization(), FakeDeviceModel()
    for i in range(10):
        authorization.register(f"CP-{i}")
        booted(device_model, f"CP-{i}", connected=i % 3 == 0)
    directory = StationDirectory(authorization, device_model)
    first, position = await directory.page(StationFilters(connected=True), 2, None)
    assert [view.station_id for view in first] == ["CP-0", "CP-3"] and position == ("", 4)
    second, position = await directory.page(StationFilters(connected=True), 2, position)
    assert [view.station_id for view in second] == ["CP-6", "CP-9"] and position is None


async def test_a_projection_lookup_failure_is_the_service_s_error(api: Api) -> None:
    api.authorization.register("CP-1")
    api.device_model.fail("get_station", grpc.StatusCode.UNAVAILABLE, "device-model down")
    async with await api.as_(Scope.READ) as client:
        answer = await client.get("/api/v1/stations")
    assert (answer.status_code, answer.json()["detail"]) == (503, "device-model service: device-model down")
