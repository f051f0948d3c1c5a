"""`/api/v1/transactions`: the filters reach ListTransactions, pages go on by cursor, one transaction comes with
its meter samples."""

from __future__ import annotations

from datetime import UTC, datetime

from google.protobuf.timestamp_pb2 import Timestamp

from csms.envelope.v1 import envelope_pb2
from csms.transactions.v1 import transactions_pb2 as tx
from csms_api.domain.keys import Scope
from kit.builders.api import Api

T0 = Timestamp(seconds=1_796_000_000)


def a_transaction(station_id: str, transaction_id: str, active: bool = False) -> tx.Transaction:
    return tx.Transaction(
        station_id=station_id,
        transaction_id=transaction_id,
        ocpp_version=envelope_pb2.OCPP_VERSION_16,
        evse_id=1,
        connector_id=1,
        id_token=tx.IdToken(id_token="TAG-1"),
        authorization_status="Accepted",
        started_at=T0,
        first_seen_at=T0,
        meter_start_wh=1000,
        energy_wh=5000,
        state=tx.TRANSACTION_STATE_ACTIVE if active else tx.TRANSACTION_STATE_ENDED,
        csms_transaction_id=int(transaction_id),
    )


async def test_the_filters_reach_the_service(api: Api) -> None:
    async with await api.as_(Scope.READ) as client:
        answer = await client.get(
            "/api/v1/transactions",
            params={
                "station_id": "CP-1",
                "id_token": "tag-1",
                "from": "2026-12-01T00:00:00Z",
                "to": "2026-12-02T00:00:00+01:00",
                "active": "true",
                "limit": 20,
            },
        )
    assert answer.json() == {"items": [], "next_cursor": None}
    (request,) = api.transactions.requests("list_transactions")
    expected = tx.ListTransactionsRequest(station_id="CP-1", id_token="tag-1", active_only=True, page_size=20)
    expected.since.FromDatetime(datetime(2026, 12, 1, tzinfo=UTC))
    expected.until.FromDatetime(datetime(2026, 12, 1, 23, tzinfo=UTC))
    assert request == expected


async def test_pages_go_on_by_cursor_for_the_same_filters(api: Api) -> None:
    api.transactions.transactions = [a_transaction("CP-1", str(i), active=i % 2 == 0) for i in range(1, 6)]
    async with await api.as_(Scope.READ) as client:
        first = (await client.get("/api/v1/transactions", params={"station_id": "CP-1", "limit": 2})).json()
        second = (
            await client.get(
                "/api/v1/transactions", params={"station_id": "CP-1", "limit": 2, "cursor": first["next_cursor"]}
            )
        ).json()
        mismatched = await client.get(
            "/api/v1/transactions", params={"station_id": "CP-2", "limit": 2, "cursor": first["next_cursor"]}
        )
    assert [t["transaction_id"] for t in first["items"] + second["items"]] == ["1", "2", "3", "4"]
    assert api.transactions.requests("list_transactions")[1].page_token == "2"
    assert mismatched.status_code == 422 and mismatched.json()["errors"][0]["field"] == "query.cursor"
    assert first["items"][1] == {
        "station_id": "CP-1",
        "transaction_id": "2",
        "ocpp_version": "1.6",
        "state": "active",
        "evse_id": 1,
        "connector_id": 1,
        "id_token": {"id_token": "TAG-1", "type": None},
        "authorization_status": "Accepted",
        "started_at": "2026-11-30T00:53:20Z",
        "ended_at": None,
        "first_seen_at": "2026-11-30T00:53:20Z",
        "updated_at": None,
        "meter_start_wh": 1000.0,
        "meter_stop_wh": None,
        "energy_wh": 5000.0,
        "stop_reason": None,
        "charging_state": None,
        "remote_start_id": None,
        "unknown_start": False,
    }


async def test_a_time_range_must_go_forward(api: Api) -> None:
    async with await api.as_(Scope.READ) as client:
        answer = await client.get(
            "/api/v1/transactions", params={"from": "2026-12-02T00:00:00Z", "to": "2026-12-01T00:00:00Z"}
        )
        naive = await client.get("/api/v1/transactions", params={"from": "2026-12-02T00:00:00"})
    assert (answer.status_code, answer.json()["detail"]) == (422, "query.from: must be before to")
    assert naive.json()["errors"][0]["field"] == "query.from"


async def test_one_transaction_with_its_samples(api: Api) -> None:
    api.transactions.transactions = [a_transaction("CP-1", "7")]
    api.transactions.samples[("CP-1", "7")] = [
        tx.SampledValue(
            sampled_at=T0,
            measurand="Energy.Active.Import.Register",
            location="Outlet",
            context="Sample.Periodic",
            value=2000,
            unit="Wh",
            raw_value="2",
            raw_unit="kWh",
        )
    ]
    async with await api.as_(Scope.READ) as client:
        answer = await client.get("/api/v1/transactions/7")
    body = answer.json()
    assert (body["transaction_id"], body["energy_wh"]) == ("7", 5000.0)
    assert body["samples"] == [
        {
            "sampled_at": "2026-11-30T00:53:20Z",
            "measurand": "Energy.Active.Import.Register",
            "phase": None,
            "location": "Outlet",
            "context": "Sample.Periodic",
            "value": 2000.0,
            "unit": "Wh",
            "raw_value": "2",
            "raw_unit": "kWh",
            "raw_multiplier": 0,
            "format": None,
            "signed_meter_value": None,
        }
    ]


async def test_an_id_used_by_two_stations_needs_the_station(api: Api) -> None:
    api.transactions.transactions = [a_transaction("CP-1", "7"), a_transaction("CP-2", "7")]
    async with await api.as_(Scope.READ) as client:
        ambiguous = await client.get("/api/v1/transactions/7")
        chosen = await client.get("/api/v1/transactions/7", params={"station_id": "CP-2"})
        missing = await client.get("/api/v1/transactions/8")
    assert ambiguous.status_code == 409
    assert chosen.json()["station_id"] == "CP-2"
    assert missing.status_code == 404
