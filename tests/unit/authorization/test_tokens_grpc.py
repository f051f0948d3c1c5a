"""The id token RPCs of AuthorizationService over in-memory fakes: the decision, management, events, paging."""

from __future__ import annotations

import base64
from datetime import UTC, datetime, timedelta

import grpc
import pytest

from csms.authorization.v1 import authorization_pb2 as pb
from csms.envelope.v1 import envelope_pb2
from csms_authorization.api.grpc_api import AuthorizationServicer
from csms_authorization.domain.reservations import Reservation, ReservationStatus
from csms_authorization.domain.tokens import TokenStatus, TokenType
from csms_kernel.infra.envelopes import timestamp
from kit.builders.authorization import a_token
from kit.builders.authorization_grpc import NOW, Service
from kit.fakes.grpc_context import CONTEXT, Aborted

EXPIRES = datetime(2027, 1, 1, 0, 0, 0, 250999, tzinfo=UTC)
EXPIRES_MS = datetime(2027, 1, 1, 0, 0, 0, 250000, tzinfo=UTC)
LATER = NOW + timedelta(hours=1)


def micros(moment: datetime) -> int:
    return int(moment.timestamp()) * 1_000_000 + moment.microsecond


def upsert_request(id_token: str = "04a2b3c4", **fields: object) -> pb.UpsertIdTokenRequest:
    return pb.UpsertIdTokenRequest(**{"id_token": id_token, "type": pb.ID_TOKEN_TYPE_ISO14443, **fields})  # type: ignore[arg-type]


async def upsert(
    servicer: AuthorizationServicer, id_token: str = "04a2b3c4", **fields: object
) -> pb.UpsertIdTokenResponse:
    return await servicer.UpsertIdToken(upsert_request(id_token, **fields), CONTEXT)


async def test_upsert_creates_a_token_publishes_it_and_replaces_it_later(
    servicer: AuthorizationServicer, service: Service
) -> None:
    created = await upsert(
        servicer,
        expires_at=timestamp(EXPIRES),
        group_id_token="FLEET-1",
        station_ids=["CS-2", "CS-1"],
        status=pb.ID_TOKEN_STATUS_ACCEPTED,
    )
    expected = pb.IdTokenRecord(
        id_token="04a2b3c4",
        type=pb.ID_TOKEN_TYPE_ISO14443,
        status=pb.ID_TOKEN_STATUS_ACCEPTED,
        expires_at=timestamp(EXPIRES_MS),
        group_id_token="FLEET-1",
        station_ids=["CS-1", "CS-2"],
        created_at=timestamp(NOW),
        updated_at=timestamp(NOW),
    )
    assert created == pb.UpsertIdTokenResponse(created=True, token=expected)
    assert service.tokens.records == {
        "04A2B3C4": a_token(
            "04a2b3c4",
            expires_at=EXPIRES_MS,
            group_id_token="FLEET-1",
            station_ids=frozenset({"CS-1", "CS-2"}),
            created_at=NOW,
            updated_at=NOW,
        )
    }
    service.clock.now = LATER
    updated = await upsert(servicer, "04A2B3C4", type=pb.ID_TOKEN_TYPE_KEY_CODE)
    replaced = pb.IdTokenRecord(
        id_token="04A2B3C4",
        type=pb.ID_TOKEN_TYPE_KEY_CODE,
        status=pb.ID_TOKEN_STATUS_ACCEPTED,
        created_at=timestamp(NOW),
        updated_at=timestamp(LATER),
    )
    assert updated == pb.UpsertIdTokenResponse(created=False, token=replaced)
    assert await service.published() == [
        pb.AuthorizationEvent(
            id_token_key="04A2B3C4",
            occurred_at=timestamp(NOW),
            revision=micros(NOW),
            id_token_added=pb.IdTokenAdded(token=expected),
        ),
        pb.AuthorizationEvent(
            id_token_key="04A2B3C4",
            occurred_at=timestamp(LATER),
            revision=micros(LATER),
            id_token_updated=pb.IdTokenUpdated(token=replaced),
        ),
    ]
    assert service.local_list.version == 0


@pytest.mark.parametrize(
    ("request_", "message"),
    [
        (
            pb.UpsertIdTokenRequest(id_token="X"),
            "type is required (Central, eMAID, ISO14443, ISO15693, KeyCode, Local, MacAddress)",
        ),
        (upsert_request(""), "id_token must be 1..255 characters, got 0"),
        (upsert_request("X" * 256), "id_token must be 1..255 characters, got 256"),
        (upsert_request("with space"), "id_token must be printable ASCII without spaces"),
        (upsert_request(group_id_token="ä"), "group_id_token must be printable ASCII without spaces"),
        (
            pb.UpsertIdTokenRequest(id_token="X", type=pb.ID_TOKEN_TYPE_NO_AUTHORIZATION),
            "NoAuthorization tokens are accepted without being registered",
        ),
        (upsert_request(station_ids=[""]), "station ids must not be empty"),
    ],
)
async def test_invalid_tokens_are_refused(
    servicer: AuthorizationServicer, service: Service, request_: pb.UpsertIdTokenRequest, message: str
) -> None:
    with pytest.raises(Aborted) as aborted:
        await servicer.UpsertIdToken(request_, CONTEXT)
    assert (aborted.value.code, aborted.value.details) == (grpc.StatusCode.INVALID_ARGUMENT, message)
    assert service.tokens.records == {} and await service.published() == []


async def test_get_finds_a_token_case_insensitively(servicer: AuthorizationServicer) -> None:
    created = await upsert(servicer)
    got = await servicer.GetIdToken(pb.GetIdTokenRequest(id_token="04A2b3C4"), CONTEXT)
    assert got == pb.GetIdTokenResponse(token=created.token)


async def test_get_of_an_unknown_token_is_not_found(servicer: AuthorizationServicer) -> None:
    with pytest.raises(Aborted) as aborted:
        await servicer.GetIdToken(pb.GetIdTokenRequest(id_token="NOPE"), CONTEXT)
    assert (aborted.value.code, aborted.value.details) == (grpc.StatusCode.NOT_FOUND, "no id token NOPE")


async def test_listing_pages_by_key(servicer: AuthorizationServicer) -> None:
    for id_token in ("c", "a", "b"):
        await upsert(servicer, id_token)
    first = await servicer.ListIdTokens(pb.ListIdTokensRequest(page_size=2), CONTEXT)
    assert [t.id_token for t in first.tokens] == ["a", "b"]
    assert first.next_page_token == base64.urlsafe_b64encode(b"B").decode()
    second = await servicer.ListIdTokens(pb.ListIdTokensRequest(page_size=2, page_token=first.next_page_token), CONTEXT)
    assert [t.id_token for t in second.tokens] == ["c"] and second.next_page_token == ""


@pytest.mark.parametrize("token", ["not base64!", "/w==", base64.urlsafe_b64encode(b"a b").decode()])
async def test_a_forged_page_token_is_an_invalid_argument(servicer: AuthorizationServicer, token: str) -> None:
    with pytest.raises(Aborted) as aborted:
        await servicer.ListIdTokens(pb.ListIdTokensRequest(page_token=token), CONTEXT)
    assert aborted.value.code == grpc.StatusCode.INVALID_ARGUMENT


async def test_block_sets_the_status_and_publishes(servicer: AuthorizationServicer, service: Service) -> None:
    await upsert(servicer)
    service.clock.now = LATER
    blocked = await servicer.BlockIdToken(pb.BlockIdTokenRequest(id_token="04A2B3C4"), CONTEXT)
    assert blocked.token.status == pb.ID_TOKEN_STATUS_BLOCKED
    assert blocked.token.updated_at == timestamp(LATER)
    assert service.tokens.records["04A2B3C4"].status is TokenStatus.BLOCKED
    assert (await service.published())[-1] == pb.AuthorizationEvent(
        id_token_key="04A2B3C4",
        occurred_at=timestamp(LATER),
        revision=micros(LATER),
        id_token_blocked=pb.IdTokenBlocked(token=blocked.token),
    )


async def test_block_of_an_unknown_token_is_not_found(servicer: AuthorizationServicer, service: Service) -> None:
    with pytest.raises(Aborted) as aborted:
        await servicer.BlockIdToken(pb.BlockIdTokenRequest(id_token="NOPE"), CONTEXT)
    assert aborted.value.code == grpc.StatusCode.NOT_FOUND
    assert await service.published() == []


async def test_delete_removes_and_publishes_once(servicer: AuthorizationServicer, service: Service) -> None:
    await upsert(servicer)
    first = await servicer.DeleteIdToken(pb.DeleteIdTokenRequest(id_token="04a2b3c4"), CONTEXT)
    again = await servicer.DeleteIdToken(pb.DeleteIdTokenRequest(id_token="04a2b3c4"), CONTEXT)
    assert (first.deleted, again.deleted) == (True, False)
    assert service.tokens.records == {}
    published = await service.published()
    assert published[-1] == pb.AuthorizationEvent(
        id_token_key="04A2B3C4",
        occurred_at=timestamp(NOW),
        revision=micros(NOW) + 1,  # in the same microsecond as the token's creation
        id_token_deleted=pb.IdTokenDeleted(id_token="04a2b3c4"),
    )
    assert len(published) == 2


async def test_local_list_tokens_change_the_list_version(servicer: AuthorizationServicer, service: Service) -> None:
    await upsert(servicer, "A", local_list=True)
    await upsert(servicer, "B")
    await upsert(servicer, "B", local_list=True)
    await upsert(servicer, "A")  # leaves the list
    await servicer.BlockIdToken(pb.BlockIdTokenRequest(id_token="B"), CONTEXT)
    await servicer.DeleteIdToken(pb.DeleteIdTokenRequest(id_token="B"), CONTEXT)
    snapshot = await service.local_list.snapshot()
    assert snapshot.version == 5
    assert {e.token.key: (e.changed_in, e.removed, e.token.status) for e in snapshot.entries} == {
        "A": (3, True, TokenStatus.ACCEPTED),
        "B": (5, True, TokenStatus.BLOCKED),
    }


async def authorize(servicer: AuthorizationServicer, **fields: object) -> pb.AuthorizeIdTokenResponse:
    request = pb.AuthorizeIdTokenRequest(station_id="CS-1", id_token="04A2B3C4", **fields)  # type: ignore[arg-type]
    return await servicer.AuthorizeIdToken(request, CONTEXT)


async def test_authorize_accepts_with_expiry_group_and_type(servicer: AuthorizationServicer) -> None:
    await upsert(servicer, expires_at=timestamp(EXPIRES), group_id_token="FLEET-1")
    assert await authorize(
        servicer, token_type=pb.ID_TOKEN_TYPE_ISO14443, ocpp_version=envelope_pb2.OCPP_VERSION_201
    ) == pb.AuthorizeIdTokenResponse(
        status=pb.AUTHORIZATION_STATUS_ACCEPTED,
        expiry=timestamp(EXPIRES_MS),
        group_id_token=pb.IdToken(id_token="FLEET-1", type=pb.ID_TOKEN_TYPE_CENTRAL),
        token_type=pb.ID_TOKEN_TYPE_ISO14443,
    )


@pytest.mark.parametrize(
    ("version", "unknown", "elsewhere"),
    [
        (envelope_pb2.OCPP_VERSION_16, pb.AUTHORIZATION_STATUS_INVALID, pb.AUTHORIZATION_STATUS_INVALID),
        (envelope_pb2.OCPP_VERSION_201, pb.AUTHORIZATION_STATUS_UNKNOWN, pb.AUTHORIZATION_STATUS_NOT_AT_THIS_LOCATION),
        (envelope_pb2.OCPP_VERSION_21, pb.AUTHORIZATION_STATUS_UNKNOWN, pb.AUTHORIZATION_STATUS_NOT_AT_THIS_LOCATION),
        (
            envelope_pb2.OCPP_VERSION_UNSPECIFIED,
            pb.AUTHORIZATION_STATUS_UNKNOWN,
            pb.AUTHORIZATION_STATUS_NOT_AT_THIS_LOCATION,
        ),
    ],
)
async def test_authorize_spells_refusals_for_the_version(
    servicer: AuthorizationServicer,
    version: envelope_pb2.OcppVersion.ValueType,
    unknown: pb.AuthorizationStatus.ValueType,
    elsewhere: pb.AuthorizationStatus.ValueType,
) -> None:
    assert (await authorize(servicer, ocpp_version=version)).status == unknown
    await upsert(servicer, station_ids=["CS-9"])
    elsewhere_answer = await authorize(servicer, ocpp_version=version)
    assert elsewhere_answer == pb.AuthorizeIdTokenResponse(status=elsewhere, token_type=pb.ID_TOKEN_TYPE_ISO14443)


async def test_authorize_decides_at_the_given_time(servicer: AuthorizationServicer) -> None:
    await upsert(servicer, expires_at=timestamp(LATER))
    assert (await authorize(servicer)).status == pb.AUTHORIZATION_STATUS_ACCEPTED
    assert (await authorize(servicer, at=timestamp(LATER))).status == pb.AUTHORIZATION_STATUS_EXPIRED


async def test_authorize_checks_a_2x_type_and_accepts_no_authorization(servicer: AuthorizationServicer) -> None:
    await upsert(servicer, status=pb.ID_TOKEN_STATUS_BLOCKED)
    assert (await authorize(servicer)).status == pb.AUTHORIZATION_STATUS_BLOCKED
    assert (await authorize(servicer, token_type=pb.ID_TOKEN_TYPE_ISO14443)).status == pb.AUTHORIZATION_STATUS_BLOCKED
    assert (await authorize(servicer, token_type=pb.ID_TOKEN_TYPE_LOCAL)).status == pb.AUTHORIZATION_STATUS_UNKNOWN
    no_auth = await servicer.AuthorizeIdToken(
        pb.AuthorizeIdTokenRequest(station_id="CS-1", token_type=pb.ID_TOKEN_TYPE_NO_AUTHORIZATION), CONTEXT
    )
    assert no_auth == pb.AuthorizeIdTokenResponse(
        status=pb.AUTHORIZATION_STATUS_ACCEPTED, token_type=pb.ID_TOKEN_TYPE_NO_AUTHORIZATION
    )


def test_token_types_cover_the_ocpp_enumeration() -> None:
    assert [t.value for t in TokenType] == [
        "Central",
        "eMAID",
        "ISO14443",
        "ISO15693",
        "KeyCode",
        "Local",
        "MacAddress",
        "NoAuthorization",
    ]


@pytest.mark.parametrize(
    ("version", "refused"),
    [
        (envelope_pb2.OCPP_VERSION_16, pb.AUTHORIZATION_STATUS_INVALID),
        (envelope_pb2.OCPP_VERSION_201, pb.AUTHORIZATION_STATUS_NOT_AT_THIS_LOCATION),
    ],
)
async def test_a_transaction_start_honours_the_reservation_of_its_evse(
    service: Service, servicer: AuthorizationServicer, version: envelope_pb2.OcppVersion.ValueType, refused: int
) -> None:
    await upsert(servicer)
    await service.reservations.save(
        Reservation("CS-1", 7, "RESERVED", NOW + timedelta(minutes=5), ReservationStatus.ACCEPTED, evse_id=1)
    )
    assert (await authorize(servicer, ocpp_version=version, evse_id=1)).status == refused
    assert (await authorize(servicer, ocpp_version=version, evse_id=2)).status == pb.AUTHORIZATION_STATUS_ACCEPTED
    assert (await authorize(servicer, ocpp_version=version)).status == pb.AUTHORIZATION_STATUS_ACCEPTED
    after_expiry = timestamp(NOW + timedelta(minutes=5))
    assert (await authorize(servicer, ocpp_version=version, evse_id=1, at=after_expiry)).status == (
        pb.AUTHORIZATION_STATUS_ACCEPTED
    )
