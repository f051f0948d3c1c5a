"""AuthorizationServicer's station registry RPCs with the in-memory registry, a fixed clock and fixed salts, and
the station credential events they publish through the station outbox."""

from __future__ import annotations

import base64
from datetime import UTC, datetime

import grpc
import pytest

from csms.authorization.v1 import authorization_pb2 as pb
from csms_authorization.adapters.store import StoreUnavailable
from csms_authorization.api.grpc_api import AuthorizationServicer
from csms_authorization.domain.credentials import PasswordHasher
from csms_authorization.domain.stations import StationRecord
from csms_kernel.infra.envelopes import timestamp
from kit.builders.authorization_grpc import NOW, Clock, Service
from kit.fakes.authorization import InMemoryStationRegistry
from kit.fakes.grpc_context import CONTEXT, Aborted

LATER = datetime(2025, 3, 2, 8, 30, tzinfo=UTC)
PASSWORD = "s3cret-s3cret-16"


class UnavailableRegistry(InMemoryStationRegistry):
    async def get(self, station_id: str) -> StationRecord | None:
        raise StoreUnavailable("no host")

    async def list_page(
        self, page_size: int, page_token: bytes | None, group: str | None = None
    ) -> tuple[list[StationRecord], bytes | None]:
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
    servicer: AuthorizationServicer, station_id: str, password: str, presented: int = 0
) -> pb.VerifyStationCredentialsResponse:
    return await servicer.VerifyStationCredentials(
        pb.VerifyStationCredentialsRequest(station_id=station_id, password=password, presented_profile=presented),
        CONTEXT,
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


async def test_registering_an_existing_station_changes_nothing(
    servicer: AuthorizationServicer, registry: InMemoryStationRegistry, service: Service, clock: Clock
) -> None:
    await register(servicer, "CP-1", PASSWORD, 1, group="site-a")
    first = registry.records["CP-1"]
    clock.now = LATER
    assert await register(servicer, "CP-1", "another-password-of-28-chars", 3, group="site-b") is False
    assert registry.records == {"CP-1": first}
    assert registry.group_of == {"CP-1": "site-a"}
    assert await verify(servicer, "CP-1", PASSWORD) == pb.VerifyStationCredentialsResponse(
        verdict=pb.VERDICT_ACCEPTED, security_profile=1
    )
    assert [list(e.changes) for e in await service.station_changes()] == [[pb.STATION_CHANGE_REGISTERED]]


@pytest.mark.parametrize(
    ("station_id", "password", "profile", "message"),
    [
        ("CP-1", "short", 1, "password must be 16..64 characters (OCPP BasicAuthPassword), got 5"),
        ("CP-1", "p" * 65, 1, "password must be 16..64 characters (OCPP BasicAuthPassword), got 65"),
        ("", PASSWORD, 1, "station id must be 1..48 characters, got 0"),
        (
            "CP:1",
            PASSWORD,
            1,
            "station id allows only ASCII letters, digits and *-_=+|@., got ':'",
        ),
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
    assert await verify(servicer, "CP-1", PASSWORD, 2) == pb.VerifyStationCredentialsResponse(
        verdict=pb.VERDICT_ACCEPTED, security_profile=2
    )


async def test_a_wrong_password_is_refused(servicer: AuthorizationServicer) -> None:
    await register(servicer, "CP-1", PASSWORD, 2)
    assert await verify(servicer, "CP-1", PASSWORD.upper(), 2) == pb.VerifyStationCredentialsResponse(
        verdict=pb.VERDICT_WRONG_PASSWORD
    )


@pytest.mark.parametrize("station_id", ["CP-2", "", "CP:1", "x" * 49])
async def test_unknown_and_impossible_stations_are_unknown(servicer: AuthorizationServicer, station_id: str) -> None:
    await register(servicer, "CP-1", PASSWORD)
    assert await verify(servicer, station_id, PASSWORD) == pb.VerifyStationCredentialsResponse(
        verdict=pb.VERDICT_UNKNOWN_STATION
    )


def listed(station_id: str, profile: int = 1, group: str = "", enabled: bool = True) -> pb.RegisteredStation:
    """A station as listed, registered at NOW and not changed since."""
    return pb.RegisteredStation(
        station_id=station_id,
        security_profile=profile,
        group=group,
        enabled=enabled,
        created_at=timestamp(NOW),
        updated_at=timestamp(NOW),
    )


async def test_listing_pages_through_every_station(servicer: AuthorizationServicer) -> None:
    for station_id, profile in [("CP-3", 3), ("CP-1", 1), ("CP-2", 2)]:
        await register(servicer, station_id, PASSWORD, profile)
    first = await servicer.ListRegisteredStations(pb.ListRegisteredStationsRequest(page_size=2), CONTEXT)
    assert list(first.stations) == [listed("CP-1", 1), listed("CP-2", 2)]
    assert first.next_page_token == base64.urlsafe_b64encode(b"CP-2").decode()
    second = await servicer.ListRegisteredStations(
        pb.ListRegisteredStationsRequest(page_size=2, page_token=first.next_page_token), CONTEXT
    )
    assert second == pb.ListRegisteredStationsResponse(stations=[listed("CP-3", 3)])


async def test_listing_a_group_pages_through_its_stations_only(servicer: AuthorizationServicer) -> None:
    for station_id, group in [("CP-4", "site-a"), ("CP-1", "site-a"), ("CP-2", "site-b"), ("CP-3", "")]:
        await register(servicer, station_id, PASSWORD, group=group)
    first = await servicer.ListRegisteredStations(
        pb.ListRegisteredStationsRequest(page_size=1, group="site-a"), CONTEXT
    )
    assert list(first.stations) == [listed("CP-1", group="site-a")]
    second = await servicer.ListRegisteredStations(
        pb.ListRegisteredStationsRequest(page_size=1, group="site-a", page_token=first.next_page_token), CONTEXT
    )
    assert list(second.stations) == [listed("CP-4", group="site-a")]
    last = await servicer.ListRegisteredStations(
        pb.ListRegisteredStationsRequest(page_size=1, group="site-a", page_token=second.next_page_token), CONTEXT
    )
    assert last == pb.ListRegisteredStationsResponse()
    empty = await servicer.ListRegisteredStations(pb.ListRegisteredStationsRequest(group="site-z"), CONTEXT)
    assert empty == pb.ListRegisteredStationsResponse()


async def test_listing_an_invalid_group_is_an_invalid_argument(servicer: AuthorizationServicer) -> None:
    with pytest.raises(Aborted) as aborted:
        await servicer.ListRegisteredStations(pb.ListRegisteredStationsRequest(group="a b"), CONTEXT)
    assert (aborted.value.code, aborted.value.details) == (
        grpc.StatusCode.INVALID_ARGUMENT,
        "group must be 1..64 printable ASCII characters without spaces",
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
        servicer.GetRegisteredStation(pb.GetRegisteredStationRequest(station_id="CP-1"), CONTEXT),
        servicer.UpdateStation(pb.UpdateStationRequest(station_id="CP-1", enabled=False), CONTEXT),
        servicer.DeleteStation(pb.DeleteStationRequest(station_id="CP-1"), CONTEXT),
    ]
    for call in calls:
        with pytest.raises(Aborted) as aborted:
            await call
        assert (aborted.value.code, aborted.value.details) == (
            grpc.StatusCode.UNAVAILABLE,
            "station registry unavailable, retry later",
        )


async def test_a_station_group_is_set_replaced_left_and_listed(
    servicer: AuthorizationServicer, registry: InMemoryStationRegistry
) -> None:
    await register(servicer, "CP-1", PASSWORD, group="site-a")
    await register(servicer, "CP-2", PASSWORD, group="site-a")
    await register(servicer, "CP-3", PASSWORD)
    await update(servicer, "CP-2", group="site-b")
    assert registry.group_of == {"CP-1": "site-a", "CP-2": "site-b"}
    listing = await servicer.ListRegisteredStations(pb.ListRegisteredStationsRequest(), CONTEXT)
    assert [(s.station_id, s.group) for s in listing.stations] == [("CP-1", "site-a"), ("CP-2", "site-b"), ("CP-3", "")]
    await update(servicer, "CP-1", group="")
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


async def update(servicer: AuthorizationServicer, station_id: str, **fields: object) -> pb.RegisteredStation:
    request = pb.UpdateStationRequest(station_id=station_id, **fields)  # type: ignore[arg-type]
    return (await servicer.UpdateStation(request, CONTEXT)).station


async def changes_published(service: Service) -> list[tuple[str, list[pb.StationChange.ValueType]]]:
    return [(e.station_id, list(e.changes)) for e in await service.station_changes()]


async def test_a_registered_station_is_read_back_with_its_registration(servicer: AuthorizationServicer) -> None:
    await register(servicer, "CP-1", PASSWORD, 2, group="site-a")
    response = await servicer.GetRegisteredStation(pb.GetRegisteredStationRequest(station_id="CP-1"), CONTEXT)
    assert response.station == listed("CP-1", 2, "site-a")


@pytest.mark.parametrize(
    ("call", "code", "message"),
    [
        ("get", grpc.StatusCode.NOT_FOUND, "no registered station CP-9"),
        ("update", grpc.StatusCode.NOT_FOUND, "no registered station CP-9"),
    ],
)
async def test_an_unregistered_station_is_not_found(
    servicer: AuthorizationServicer, call: str, code: grpc.StatusCode, message: str
) -> None:
    with pytest.raises(Aborted) as aborted:
        if call == "get":
            await servicer.GetRegisteredStation(pb.GetRegisteredStationRequest(station_id="CP-9"), CONTEXT)
        else:
            await update(servicer, "CP-9", enabled=False)
    assert (aborted.value.code, aborted.value.details) == (code, message)


@pytest.mark.parametrize("station_id", ["", "CP:1", "x" * 49])
async def test_an_impossible_station_id_is_an_invalid_argument(
    servicer: AuthorizationServicer, station_id: str
) -> None:
    calls = [
        servicer.GetRegisteredStation(pb.GetRegisteredStationRequest(station_id=station_id), CONTEXT),
        servicer.UpdateStation(pb.UpdateStationRequest(station_id=station_id, enabled=False), CONTEXT),
        servicer.DeleteStation(pb.DeleteStationRequest(station_id=station_id), CONTEXT),
    ]
    for call in calls:
        with pytest.raises(Aborted) as aborted:
            await call
        assert aborted.value.code == grpc.StatusCode.INVALID_ARGUMENT


async def test_an_update_changes_only_the_fields_set(
    servicer: AuthorizationServicer, registry: InMemoryStationRegistry, clock: Clock
) -> None:
    await register(servicer, "CP-1", PASSWORD, 2, group="site-a")
    before = registry.records["CP-1"]
    clock.now = LATER
    station = await update(servicer, "CP-1", security_profile=3)
    assert station == pb.RegisteredStation(
        station_id="CP-1",
        security_profile=3,
        group="site-a",
        enabled=True,
        created_at=timestamp(NOW),
        updated_at=timestamp(LATER),
    )
    assert registry.records["CP-1"].password == before.password
    assert await verify(servicer, "CP-1", "", 3) == pb.VerifyStationCredentialsResponse(
        verdict=pb.VERDICT_ACCEPTED, security_profile=3
    )


async def test_a_new_password_is_hashed_and_replaces_the_old_one(
    servicer: AuthorizationServicer, registry: InMemoryStationRegistry, hasher: PasswordHasher
) -> None:
    await register(servicer, "CP-1", PASSWORD)
    await update(servicer, "CP-1", password="the-rotated-password")
    assert registry.records["CP-1"].password == hasher.hash("the-rotated-password")
    assert (await verify(servicer, "CP-1", PASSWORD)).verdict == pb.VERDICT_WRONG_PASSWORD
    assert (await verify(servicer, "CP-1", "the-rotated-password")).verdict == pb.VERDICT_ACCEPTED


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"password": "short"}, "password must be 16..64 characters (OCPP BasicAuthPassword), got 5"),
        ({"security_profile": 0}, "security_profile must be 1, 2 or 3, got 0"),
        ({"security_profile": 4}, "security_profile must be 1, 2 or 3, got 4"),
        ({"group": "a b"}, "group must be 1..64 printable ASCII characters without spaces"),
    ],
)
async def test_an_invalid_update_is_refused_and_changes_nothing(
    servicer: AuthorizationServicer, registry: InMemoryStationRegistry, fields: dict[str, object], message: str
) -> None:
    await register(servicer, "CP-1", PASSWORD, group="site-a")
    before = registry.records["CP-1"]
    with pytest.raises(Aborted) as aborted:
        await update(servicer, "CP-1", enabled=False, **fields)
    assert (aborted.value.code, aborted.value.details) == (grpc.StatusCode.INVALID_ARGUMENT, message)
    assert registry.records["CP-1"] == before and registry.group_of == {"CP-1": "site-a"}


async def test_a_disabled_station_is_told_so_only_with_its_password(servicer: AuthorizationServicer) -> None:
    await register(servicer, "CP-1", PASSWORD)
    assert (await update(servicer, "CP-1", enabled=False)).enabled is False
    assert await verify(servicer, "CP-1", PASSWORD) == pb.VerifyStationCredentialsResponse(verdict=pb.VERDICT_DISABLED)
    assert (await verify(servicer, "CP-1", PASSWORD.upper())).verdict == pb.VERDICT_WRONG_PASSWORD
    assert (await update(servicer, "CP-1", enabled=True)).enabled is True
    assert (await verify(servicer, "CP-1", PASSWORD)).verdict == pb.VERDICT_ACCEPTED


async def test_credential_changes_are_published_and_other_changes_are_not(
    servicer: AuthorizationServicer, service: Service
) -> None:
    await register(servicer, "CP-1", PASSWORD)
    await update(servicer, "CP-1", enabled=False)
    await update(servicer, "CP-1", enabled=False)  # no change
    await update(servicer, "CP-1", group="site-a")  # not a credential
    await update(servicer, "CP-1", enabled=True, password="the-rotated-password", security_profile=2)
    await update(servicer, "CP-1", security_profile=2)  # no change
    assert await changes_published(service) == [
        ("CP-1", [pb.STATION_CHANGE_REGISTERED]),
        ("CP-1", [pb.STATION_CHANGE_DISABLED]),
        (
            "CP-1",
            [
                pb.STATION_CHANGE_ENABLED,
                pb.STATION_CHANGE_PASSWORD_CHANGED,
                pb.STATION_CHANGE_SECURITY_PROFILE_CHANGED,
            ],
        ),
    ]
    revisions = [e.revision for e in service.station_events.published]
    assert revisions == sorted(revisions) and len(set(revisions)) == 3


async def test_an_update_that_changes_nothing_writes_nothing(
    servicer: AuthorizationServicer, registry: InMemoryStationRegistry, clock: Clock
) -> None:
    await register(servicer, "CP-1", PASSWORD, 2, group="site-a")
    clock.now = LATER
    station = await update(servicer, "CP-1", security_profile=2, group="site-a", enabled=True)
    assert station == listed("CP-1", 2, "site-a")
    assert registry.records["CP-1"].updated_at == NOW


async def test_a_deleted_station_is_gone_and_its_deletion_published(
    servicer: AuthorizationServicer, registry: InMemoryStationRegistry, service: Service
) -> None:
    await register(servicer, "CP-1", PASSWORD, group="site-a")
    deleted = await servicer.DeleteStation(pb.DeleteStationRequest(station_id="CP-1"), CONTEXT)
    assert deleted == pb.DeleteStationResponse(deleted=True)
    assert registry.records == {} and registry.group_of == {}
    assert (await verify(servicer, "CP-1", PASSWORD)).verdict == pb.VERDICT_UNKNOWN_STATION
    again = await servicer.DeleteStation(pb.DeleteStationRequest(station_id="CP-1"), CONTEXT)
    assert again == pb.DeleteStationResponse(deleted=False)
    assert await changes_published(service) == [
        ("CP-1", [pb.STATION_CHANGE_REGISTERED]),
        ("CP-1", [pb.STATION_CHANGE_DELETED]),
    ]
