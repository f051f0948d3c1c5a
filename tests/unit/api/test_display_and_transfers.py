"""`/api/v1/stations/{id}/display-messages` and `/data-transfers`: the read models as JSON, pages by sealed cursor,
the read scope."""

from __future__ import annotations

from google.protobuf.timestamp_pb2 import Timestamp

from csms.device_model.v1 import device_model_pb2 as dm
from csms.envelope.v1 import envelope_pb2
from csms_api.domain.keys import Scope
from kit.builders.api import Api

T0 = Timestamp(seconds=1_796_000_000)


async def test_a_stations_display_messages(api: Api) -> None:
    api.device_model.display_messages["CP-1"] = [
        dm.DisplayMessage(
            id=1,
            priority="always_front",
            state="idle",
            end_at=T0,
            format="utf8",
            language="de",
            content="Hallo",
            display_name="Display",
            display_evse_id=1,
            source="command cmd-1",
            updated_at=T0,
        ),
        dm.DisplayMessage(id=2, priority="normal_cycle", format="uri", content="https://x", source="report 5"),
    ]
    async with await api.as_(Scope.READ) as client:
        answer = await client.get("/api/v1/stations/CP-1/display-messages")
        other = await client.get("/api/v1/stations/CP-2/display-messages")
    assert answer.status_code == 200
    assert answer.json() == [
        {
            "id": 1,
            "priority": "always_front",
            "state": "idle",
            "start_at": None,
            "end_at": "2026-11-30T00:53:20Z",
            "transaction_id": None,
            "format": "utf8",
            "language": "de",
            "content": "Hallo",
            "display": {"name": "Display", "instance": None, "evse_id": 1, "connector_id": None},
            "source": "command cmd-1",
            "updated_at": "2026-11-30T00:53:20Z",
        },
        {
            "id": 2,
            "priority": "normal_cycle",
            "state": None,
            "start_at": None,
            "end_at": None,
            "transaction_id": None,
            "format": "uri",
            "language": None,
            "content": "https://x",
            "display": None,
            "source": "report 5",
            "updated_at": None,
        },
    ]
    assert other.json() == []


def a_transfer(n: int, station_id: str = "CP-1") -> dm.DataTransfer:
    return dm.DataTransfer(
        station_id=station_id,
        transfer_id=f"m-{n}",
        direction="station_to_csms",
        ocpp_version=envelope_pb2.OCPP_VERSION_16,
        vendor_id="org.csms.ocmf",
        message_id="SignedMeterValue",
        data_json='"OCMF|{}|{}"',
        status="rejected",
        reason_code="InvalidOcmf",
        details_json='{"problem": "payload.RD: must be a list"}',
        recorded_at=T0,
    )


async def test_a_stations_data_transfers_page_by_page(api: Api) -> None:
    api.device_model.data_transfers = [a_transfer(n) for n in range(1, 4)] + [a_transfer(9, "CP-2")]
    async with await api.as_(Scope.READ) as client:
        first = (await client.get("/api/v1/stations/CP-1/data-transfers", params={"limit": 2})).json()
        second = (
            await client.get(
                "/api/v1/stations/CP-1/data-transfers", params={"limit": 2, "cursor": first["next_cursor"]}
            )
        ).json()
        other_station = await client.get(
            "/api/v1/stations/CP-2/data-transfers", params={"cursor": first["next_cursor"]}
        )
    assert first["items"][0] == {
        "transfer_id": "m-1",
        "direction": "station_to_csms",
        "ocpp_version": "1.6",
        "vendor_id": "org.csms.ocmf",
        "message_id": "SignedMeterValue",
        "data": "OCMF|{}|{}",
        "status": "rejected",
        "response_data": None,
        "reason_code": "InvalidOcmf",
        "details": {"problem": "payload.RD: must be a list"},
        "error": None,
        "command_id": None,
        "recorded_at": "2026-11-30T00:53:20Z",
    }
    assert [t["transfer_id"] for t in first["items"] + second["items"]] == ["m-1", "m-2", "m-3"]
    assert second["next_cursor"] is None
    assert other_station.status_code == 422


async def test_without_a_key_nothing_is_read(api: Api) -> None:
    async with api.client() as client:
        answer = await client.get("/api/v1/stations/CP-1/data-transfers")
    assert answer.status_code == 401
