"""`/api/v1/security-events` and a station's security events and certificates: the filters reach
SecurityService, pages go on by sealed cursor, the service's errors become problems."""

from __future__ import annotations

import grpc
from google.protobuf.timestamp_pb2 import Timestamp

from csms.envelope.v1 import envelope_pb2
from csms.security.v1 import security_pb2 as sec
from csms_api.domain.keys import Scope
from kit.builders.api import Api

T0 = Timestamp(seconds=1_796_000_000)


def an_event(station_id: str, n: int) -> sec.SecurityEvent:
    return sec.SecurityEvent(
        event_id=f"e-{n}",
        station_id=station_id,
        source=sec.SECURITY_EVENT_SOURCE_STATION,
        type="TamperDetectionActivated",
        critical=True,
        tech_info="lid open",
        occurred_at=T0,
        recorded_at=T0,
        ocpp_version=envelope_pb2.OCPP_VERSION_201,
        message_id=f"m-{n}",
    )


async def test_an_event_as_json(api: Api) -> None:
    api.security.events = [an_event("CP-1", 1)]
    async with await api.as_(Scope.READ) as client:
        answer = await client.get("/api/v1/security-events")
    assert answer.status_code == 200
    assert answer.json() == {
        "items": [
            {
                "event_id": "e-1",
                "station_id": "CP-1",
                "source": "station",
                "type": "TamperDetectionActivated",
                "critical": True,
                "tech_info": "lid open",
                "occurred_at": "2026-11-30T00:53:20Z",
                "recorded_at": "2026-11-30T00:53:20Z",
                "edge_node_id": None,
                "remote_address": None,
                "details": {},
                "ocpp_version": "2.0.1",
                "message_id": "m-1",
            }
        ],
        "next_cursor": None,
    }


async def test_pages_of_one_station_go_on_by_cursor(api: Api) -> None:
    api.security.events = [an_event("CP-1", n) for n in range(1, 4)] + [an_event("CP-2", 9)]
    async with await api.as_(Scope.READ) as client:
        first = (await client.get("/api/v1/stations/CP-1/security-events", params={"limit": 2})).json()
        second = (
            await client.get(
                "/api/v1/stations/CP-1/security-events", params={"limit": 2, "cursor": first["next_cursor"]}
            )
        ).json()
        other_listing = await client.get("/api/v1/security-events", params={"cursor": first["next_cursor"]})
        filtered = (await client.get("/api/v1/security-events", params={"station_id": "CP-2"})).json()
    assert [e["event_id"] for e in first["items"] + second["items"]] == ["e-1", "e-2", "e-3"]
    assert second["next_cursor"] is None
    assert [r.page_token for r in api.security.requests("list_security_events")[:2]] == ["", "2"]
    assert other_listing.status_code == 422
    assert [e["event_id"] for e in filtered["items"]] == ["e-9"]


async def test_a_stations_certificates(api: Api) -> None:
    api.security.certificates = [
        sec.IssuedCertificate(
            station_id="CP-1",
            serial_number="ab12",
            certificate_type="ChargingStationCertificate",
            not_before=T0,
            not_after=T0,
            fingerprint_sha256="f" * 64,
            certificate_chain_pem="PEM",
            issued_at=T0,
        )
    ]
    async with await api.as_(Scope.READ) as client:
        answer = await client.get("/api/v1/stations/CP-1/certificates")
    assert answer.json() == [
        {
            "serial_number": "ab12",
            "certificate_type": "ChargingStationCertificate",
            "not_before": "2026-11-30T00:53:20Z",
            "not_after": "2026-11-30T00:53:20Z",
            "fingerprint_sha256": "f" * 64,
            "certificate_chain_pem": "PEM",
            "issued_at": "2026-11-30T00:53:20Z",
        }
    ]


async def test_an_invalid_station_id_is_a_problem(api: Api) -> None:
    api.security.fail("list_issued_certificates", grpc.StatusCode.INVALID_ARGUMENT, "invalid station_id")
    async with await api.as_(Scope.READ) as client:
        answer = await client.get("/api/v1/stations/a..b/certificates")
    assert answer.status_code in (400, 422)
    assert answer.headers["content-type"] == "application/problem+json"


async def test_reading_needs_a_key(api: Api) -> None:
    async with api.client() as client:
        assert (await client.get("/api/v1/security-events")).status_code == 401
