"""AuthorizationServicer's station registry RPCs with the in-memory registry, a fixed clock and fixed salts."""

from __future__ import annotations

import base64
from datetime import UTC, datetime

import grpc
import pytest

from csms.authorization.v1 import authorization_pb2 as pb
from csms_authorization.adapters.store import StoreUnavailable
from csms_authorization.api.grpc_api import AuthorizationServicer
from csms_authorization.domain.credentials import PasswordHasher
from csms_authorization.ports import StationRecord
from kit.builders.authorization_grpc import NOW, Clock, Service
from kit.fakes.authorization import InMemoryStationRegistry
from kit.fakes.grpc_context import CONTEXT, Aborted

LATER = datetime(2025, 3, 2, 8, 30, tzinfo=UTC)
PASSWORD = "s3cret-s3cret-16"


class UnavailableRegistry(InMemoryStationRegistry):
    async def get(self, station_id: str) -> StationRecord | None:
        raise StoreUnavailable("no host")

    async def list_page(self, page_size: int, page_token: bytes | None) -> tuple[list[StationRecord], bytes | None]:
        raise StoreUnavailable("no host")


@pytest.fixture
def registry(service: Service) -> InMemoryStationRegistry:
    assert isinstance(service.registry, InMemoryStationRegistry)
    return service.registry


@pytest.fixture
def clock(service: Service) -> Clock:
    return service.clock


@pytest.fixture
def hasher(service: Service) -> PasswordHasher:
    return service.hasher


async def register(
    servicer: AuthorizationServicer, station_id: str, password: str, profile: int = 1, group: str = ""
) -> bool:
    request = pb.RegisterStationRequest(station_id=station_id, password=password, security_profile=profile, group=group)
    response = await servicer.RegisterStation(request, CONTEXT)
    return response.created


async def verify(
    servicer: AuthorizationServicer, station_id: str, password: str
) -> pb.VerifyStationCredentialsResponse:
    return await servicer.VerifyStationCredentials(
        pb.VerifyStationCredentialsRequest(station_id=station_id, password=password), CONTEXT
    )


async def test_registering_a_new_station_stores_a_salted_hash(
    servicer: AuthorizationServicer, registry: InMemoryStationRegistry, hasher: PasswordHasher
) -> None:
    assert await register(servicer, "CP-1", PASSWORD, 2) is True
    assert registry.records == {
        "CP-1": StationRecord(
            station_id="CP-1",
            password=hasher.hash(PASSWORD),
            security_profile=2,
            created_at=NOW,
            updated_at=NOW,
        )
    }


async def test_registering_again_updates_and_keeps_the_creation_time(
    servicer: AuthorizationServicer, registry: InMemoryStationRegistry, hasher: PasswordHasher, clock: Clock
) -> None:
    await register(servicer, "CP-1", PASSWORD, 1)
    clock.now = LATER
    assert await register(servicer, "CP-1", "another-password-of-28-chars", 3) is False
    assert registry.records["CP-1"] == StationRecord(
        station_id="CP-1",
        password=hasher.hash("another-password-of-28-chars"),
        security_profile=3,
        created_at=NOW,
        updated_at=LATER,
    )


@pytest.mark.parametrize(
    ("station_id", "password", "profile", "message"),
    [
        ("CP-1", "short", 1, "password must be 16..40 characters (OCPP BasicAuthPassword), got 5"),
        ("CP-1", "p" * 41, 1, "password must be 16..40 characters (OCPP BasicAuthPassword), got 41"),
        ("", PASSWORD, 1, "station_id must be 1..48 characters, got 0"),
        ("CP:1", PASSWORD, 1, "station_id must not contain ':' (it is the HTTP Basic user name)"),
        ("CP-1", PASSWORD, 0, "security_profile must be 1, 2 or 3, got 0"),
        ("CP-1", PASSWORD, 4, "security_profile must be 1, 2 or 3, got 4"),
    ],
)
async def test_invalid_registrations_are_refused_and_not_stored(
    servicer: AuthorizationServicer,
    registry: InMemoryStationRegistry,
    station_id: str,
    password: str,
    profile: int,
    message: str,
) -> None:
    with pytest.raises(Aborted) as aborted:
        await register(servicer, station_id, password, profile)
    assert (aborted.value.code, aborted.value.details) == (grpc.StatusCode.INVALID_ARGUMENT, message)
    assert registry.records == {}


async def test_the_right_password_is_accepted_with_the_security_profile(servicer: AuthorizationServicer) -> None:
    await register(servicer, "CP-1", PASSWORD, 2)
    assert await verify(servicer, "CP-1", PASSWORD) == pb.VerifyStationCredentialsResponse(
        verdict=pb.VERDICT_ACCEPTED, security_profile=2
    )


async def test_a_wrong_password_is_refused(servicer: AuthorizationServicer) -> None:
    await register(servicer, "CP-1", PASSWORD, 2)
    assert await verify(servicer, "CP-1", PASSWORD.upper()) == pb.VerifyStationCredentialsResponse(
        verdict=pb.VERDICT_WRONG_PASSWORD
    )


@pytest.mark.parametrize("station_id", ["CP-2", "", "CP:1", "x" * 49])
async def test_unknown_and_impossible_stations_are_unknown(servicer: AuthorizationServicer, station_id: str) -> None:
    await register(servicer, "CP-1", PASSWORD)
    assert await verify(servicer, station_id, PASSWORD) == pb.VerifyStationCredentialsResponse(
        verdict=pb.VERDICT_UNKNOWN_STATION
    )


async def test_listing_pages_through_every_station(servicer: AuthorizationServicer) -> None:
    for station_id, profile in [("CP-3", 3), ("CP-1", 1), ("CP-2", 2)]:
        await register(servicer, station_id, PASSWORD, profile)
    first = await servicer.ListRegisteredStations(pb.ListRegisteredStationsRequest(page_size=2), CONTEXT)
    assert list(first.stations) == [
        pb.RegisteredStation(station_id="CP-1", security_profile=1),
        pb.RegisteredStation(station_id="CP-2", security_profile=2),
    ]
    assert first.next_page_token == base64.urlsafe_b64encode(b"CP-2").decode()
    second = await servicer.ListRegisteredStations(
        pb.ListRegisteredStationsRequest(page_size=2, page_token=first.next_page_token), CONTEXT
    )
    assert second == pb.ListRegisteredStationsResponse(
        stations=[pb.RegisteredStation(station_id="CP-3", security_profile=3)]
    )


@pytest.mark.parametrize(("asked", "used"), [(0, 100), (5, 5), (1000, 1000), (5000, 1000)])
async def test_page_size_defaults_to_100_and_is_capped_at_1000(
    servicer: AuthorizationServicer, asked: int, used: int
) -> None:
    for i in range(1001):
        await register(servicer, f"CP-{i:04d}", PASSWORD)
    response = await servicer.ListRegisteredStations(pb.ListRegisteredStationsRequest(page_size=asked), CONTEXT)
    assert len(response.stations) == used


@pytest.mark.parametrize(
    ("token", "message"),
    [
        ("not base64!", "invalid page_token: not base64"),
        ("/w==", "invalid page_token: page token is not one this store issued"),  # b"\xff"
        ("YTpi", "invalid page_token: page token is not one this store issued"),  # b"a:b"
    ],
)
async def test_a_foreign_page_token_is_an_invalid_argument(
    servicer: AuthorizationServicer, token: str, message: str
) -> None:
    with pytest.raises(Aborted) as aborted:
        await servicer.ListRegisteredStations(pb.ListRegisteredStationsRequest(page_token=token), CONTEXT)
    assert (aborted.value.code, aborted.value.details) == (grpc.StatusCode.INVALID_ARGUMENT, message)


async def test_an_unavailable_registry_answers_unavailable() -> None:
    servicer = Service(registry=UnavailableRegistry()).servicer
    calls = [
        servicer.RegisterStation(
            pb.RegisterStationRequest(station_id="CP-1", password=PASSWORD, security_profile=1), CONTEXT
        ),
        servicer.VerifyStationCredentials(
            pb.VerifyStationCredentialsRequest(station_id="CP-1", password=PASSWORD), CONTEXT
        ),
        servicer.ListRegisteredStations(pb.ListRegisteredStationsRequest(), CONTEXT),
    ]
    for call in calls:
        with pytest.raises(Aborted) as aborted:
            await call
        assert (aborted.value.code, aborted.value.details) == (
            grpc.StatusCode.UNAVAILABLE,
            "station registry unavailable, retry later",
        )


async def test_a_station_group_is_set_replaced_and_listed(
    servicer: AuthorizationServicer, registry: InMemoryStationRegistry
) -> None:
    await register(servicer, "CP-1", PASSWORD, group="site-a")
    await register(servicer, "CP-2", PASSWORD, group="site-a")
    await register(servicer, "CP-3", PASSWORD)
    await register(servicer, "CP-2", PASSWORD, group="site-b")
    assert registry.group_of == {"CP-1": "site-a", "CP-2": "site-b"}
    listed = await servicer.ListRegisteredStations(pb.ListRegisteredStationsRequest(), CONTEXT)
    assert list(listed.stations) == [
        pb.RegisteredStation(station_id="CP-1", security_profile=1, group="site-a"),
        pb.RegisteredStation(station_id="CP-2", security_profile=1, group="site-b"),
        pb.RegisteredStation(station_id="CP-3", security_profile=1),
    ]
    await register(servicer, "CP-1", PASSWORD)
    assert registry.group_of == {"CP-2": "site-b"}


@pytest.mark.parametrize("group", ["has space", "x" * 65, "tab\t"])
async def test_an_invalid_group_is_refused(
    servicer: AuthorizationServicer, registry: InMemoryStationRegistry, group: str
) -> None:
    with pytest.raises(Aborted) as aborted:
        await register(servicer, "CP-1", PASSWORD, group=group)
    assert (aborted.value.code, aborted.value.details) == (
        grpc.StatusCode.INVALID_ARGUMENT,
        "group must be 1..64 printable ASCII characters without spaces",
    )
    assert registry.records == {}
