"""Password rotation and profile upgrade through the AuthorizationServicer (docs/adr/0028), over the in-memory
registry: UpdateStation's pending fields, VerifyStationCredentials with presented_profile, the promotion (once,
even when two verifications race), its station credential events and its CSMS security events."""

from __future__ import annotations

import asyncio

import grpc
import pytest

from csms.authorization.v1 import authorization_pb2 as pb
from csms_authorization.adapters.store import StoreUnavailable
from csms_authorization.api.grpc_api import AuthorizationServicer
from kit.builders.authorization_grpc import Service
from kit.fakes.authorization import InMemoryStationRegistry
from kit.fakes.grpc_context import CONTEXT, Aborted

PASSWORD = "s3cret-s3cret-16"
NEW_PASSWORD = "the-new-password-0001"


async def register(servicer: AuthorizationServicer, profile: int = 1, password: str = PASSWORD) -> None:
    request = pb.RegisterStationRequest(station_id="CP-1", password=password, security_profile=profile)
    assert (await servicer.RegisterStation(request, CONTEXT)).created


async def update(servicer: AuthorizationServicer, **fields: object) -> pb.RegisteredStation:
    request = pb.UpdateStationRequest(station_id="CP-1", **fields)  # type: ignore[arg-type]
    return (await servicer.UpdateStation(request, CONTEXT)).station


async def verify(servicer: AuthorizationServicer, password: str, presented: int) -> pb.VerifyStationCredentialsResponse:
    request = pb.VerifyStationCredentialsRequest(station_id="CP-1", password=password, presented_profile=presented)
    return await servicer.VerifyStationCredentials(request, CONTEXT)


async def station(servicer: AuthorizationServicer) -> pb.RegisteredStation:
    return (await servicer.GetRegisteredStation(pb.GetRegisteredStationRequest(station_id="CP-1"), CONTEXT)).station


async def changes(service: Service) -> list[list[pb.StationChange.ValueType]]:
    return [list(e.changes) for e in await service.station_changes()]


async def test_a_rotation_accepts_both_passwords_until_the_new_one_is_presented(service: Service) -> None:
    servicer = service.servicer
    await register(servicer)
    pending = await update(servicer, pending_password=NEW_PASSWORD)
    assert pending.password_rotation_pending and pending.pending_security_profile == 0
    assert (await verify(servicer, PASSWORD, 1)).verdict == pb.VERDICT_ACCEPTED
    assert (await station(servicer)).password_rotation_pending

    assert await verify(servicer, NEW_PASSWORD, 1) == pb.VerifyStationCredentialsResponse(
        verdict=pb.VERDICT_ACCEPTED, security_profile=1
    )
    assert not (await station(servicer)).password_rotation_pending
    assert (await verify(servicer, PASSWORD, 1)).verdict == pb.VERDICT_WRONG_PASSWORD
    assert (await verify(servicer, NEW_PASSWORD, 1)).verdict == pb.VERDICT_ACCEPTED
    assert await changes(service) == [
        [pb.STATION_CHANGE_REGISTERED],
        [pb.STATION_CHANGE_PENDING_CREDENTIALS_CHANGED],
        [pb.STATION_CHANGE_PASSWORD_ROTATED],
    ]
    (event,) = await service.security_published()
    assert (event.event.type, event.event.station_id, event.event.source) == (
        "password_rotated",
        "CP-1",
        2,  # SECURITY_EVENT_SOURCE_CSMS
    )


async def test_an_upgrade_is_promoted_when_the_station_connects_at_the_pending_profile(service: Service) -> None:
    servicer = service.servicer
    await register(servicer, profile=1)
    assert (await update(servicer, pending_security_profile=3)).pending_security_profile == 3
    assert await verify(servicer, PASSWORD, 1) == pb.VerifyStationCredentialsResponse(
        verdict=pb.VERDICT_ACCEPTED, security_profile=1
    )
    # on SP3 the station sends no password: its certificate is the credential
    assert await verify(servicer, "", 3) == pb.VerifyStationCredentialsResponse(
        verdict=pb.VERDICT_ACCEPTED, security_profile=3
    )
    registered = await station(servicer)
    assert (registered.security_profile, registered.pending_security_profile) == (3, 0)
    assert await verify(servicer, PASSWORD, 1) == pb.VerifyStationCredentialsResponse(
        verdict=pb.VERDICT_PROFILE_TOO_LOW
    )
    assert (await changes(service))[-1] == [pb.STATION_CHANGE_SECURITY_PROFILE_UPGRADED]
    (event,) = await service.security_published()
    assert event.event.type == "security_profile_upgraded"
    assert dict(event.event.details) == {"previous_security_profile": "1", "security_profile": "3"}


async def test_cancelling_a_rotation_leaves_only_the_current_password(service: Service) -> None:
    servicer = service.servicer
    await register(servicer)
    await update(servicer, pending_password=NEW_PASSWORD, pending_security_profile=2)
    cancelled = await update(servicer, pending_password="", pending_security_profile=0)
    assert (cancelled.password_rotation_pending, cancelled.pending_security_profile) == (False, 0)
    assert (await verify(servicer, NEW_PASSWORD, 2)).verdict == pb.VERDICT_WRONG_PASSWORD
    assert await verify(servicer, PASSWORD, 2) == pb.VerifyStationCredentialsResponse(
        verdict=pb.VERDICT_ACCEPTED, security_profile=1
    )
    assert await changes(service) == [
        [pb.STATION_CHANGE_REGISTERED],
        [pb.STATION_CHANGE_PENDING_CREDENTIALS_CHANGED],
        [pb.STATION_CHANGE_PENDING_CREDENTIALS_CHANGED],
    ]
    assert await service.security_published() == []


async def test_two_verifications_at_once_promote_once(service: Service) -> None:
    servicer = service.servicer
    await register(servicer)
    await update(servicer, pending_password=NEW_PASSWORD, pending_security_profile=2)
    answers = await asyncio.gather(*(verify(servicer, NEW_PASSWORD, 2) for _ in range(5)))
    assert {a.verdict for a in answers} == {pb.VERDICT_ACCEPTED}
    assert {a.security_profile for a in answers} == {2}
    assert (await changes(service))[2:] == [
        [pb.STATION_CHANGE_PASSWORD_ROTATED, pb.STATION_CHANGE_SECURITY_PROFILE_UPGRADED]
    ]
    assert sorted(e.event.type for e in await service.security_published()) == [
        "password_rotated",
        "security_profile_upgraded",
    ]


async def test_a_profile_3_station_registers_without_a_password(service: Service) -> None:
    servicer = service.servicer
    await register(servicer, profile=3, password="")
    assert await verify(servicer, "", 3) == pb.VerifyStationCredentialsResponse(
        verdict=pb.VERDICT_ACCEPTED, security_profile=3
    )
    assert (await verify(servicer, "", 2)).verdict == pb.VERDICT_PROFILE_TOO_LOW


@pytest.mark.parametrize(
    ("profile", "fields", "message"),
    [
        (2, {"pending_security_profile": 2}, "pending_security_profile must be higher than the registered profile 2"),
        (1, {"pending_security_profile": 4}, "security_profile must be 1, 2 or 3, got 4"),
        (1, {"pending_password": "short"}, "password must be 16..64 characters (OCPP BasicAuthPassword), got 5"),
        (3, {"pending_password": NEW_PASSWORD}, "no password rotation"),
    ],
)
async def test_invalid_pending_credentials_are_refused(
    service: Service, profile: int, fields: dict[str, object], message: str
) -> None:
    servicer = service.servicer
    await register(servicer, profile=profile)
    with pytest.raises(Aborted) as aborted:
        await update(servicer, **fields)
    assert aborted.value.code == grpc.StatusCode.INVALID_ARGUMENT and message in aborted.value.details
    registered = await station(servicer)
    assert (registered.password_rotation_pending, registered.pending_security_profile) == (False, 0)


async def test_a_presented_profile_above_3_is_invalid(service: Service) -> None:
    servicer = service.servicer
    await register(servicer)
    with pytest.raises(Aborted) as aborted:
        await verify(servicer, PASSWORD, 4)
    assert (aborted.value.code, aborted.value.details) == (
        grpc.StatusCode.INVALID_ARGUMENT,
        "presented_profile: security_profile must be 1, 2 or 3, got 4",
    )


class PromotionFails(InMemoryStationRegistry):
    async def promote(self, *args: object, **kwargs: object) -> None:
        raise StoreUnavailable("write timeout")


async def test_a_promotion_that_cannot_be_written_still_accepts_and_changes_nothing() -> None:
    service = Service(registry=PromotionFails())
    servicer = service.servicer
    await register(servicer)
    await update(servicer, pending_password=NEW_PASSWORD)
    assert await verify(servicer, NEW_PASSWORD, 1) == pb.VerifyStationCredentialsResponse(
        verdict=pb.VERDICT_ACCEPTED, security_profile=1
    )
    assert (await station(servicer)).password_rotation_pending
    assert (await verify(servicer, PASSWORD, 1)).verdict == pb.VERDICT_ACCEPTED
    assert (await changes(service))[-1] == [pb.STATION_CHANGE_PENDING_CREDENTIALS_CHANGED]
