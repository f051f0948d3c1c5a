"""The SecurityService servicer: pages of the event log and a station's issued certificates; malformed station
ids and page tokens are INVALID_ARGUMENT."""

from __future__ import annotations

from datetime import timedelta

import grpc
import pytest

from csms.security.v1 import security_pb2
from csms_security.api.grpc_api import SecurityServicer
from kit.builders.security import NOW
from kit.builders.security import issued_certificate as certificate
from kit.fakes.grpc_context import CONTEXT, Aborted
from kit.fakes.security import InMemoryCertificateStore, ListedEvents


def servicer(
    events: list[security_pb2.SecurityEvent], store: InMemoryCertificateStore | None = None
) -> SecurityServicer:
    return SecurityServicer(ListedEvents(events), store or InMemoryCertificateStore())


def event(station: str, n: int) -> security_pb2.SecurityEvent:
    return security_pb2.SecurityEvent(event_id=f"e-{n}", station_id=station, type="InvalidMessages")


async def test_events_of_one_station_in_pages() -> None:
    api = servicer([event("CS-1", 3), event("CS-2", 2), event("CS-1", 1)])
    first = await api.ListSecurityEvents(
        security_pb2.ListSecurityEventsRequest(station_id="CS-1", page_size=1), CONTEXT
    )
    assert [e.event_id for e in first.events] == ["e-3"]
    rest = await api.ListSecurityEvents(
        security_pb2.ListSecurityEventsRequest(station_id="CS-1", page_size=1, page_token=first.next_page_token),
        CONTEXT,
    )
    assert ([e.event_id for e in rest.events], rest.next_page_token) == (["e-1"], "")


async def test_events_of_every_station() -> None:
    api = servicer([event("CS-1", 3), event("CS-2", 2)])
    page = await api.ListSecurityEvents(security_pb2.ListSecurityEventsRequest(), CONTEXT)
    assert [e.event_id for e in page.events] == ["e-3", "e-2"]


@pytest.mark.parametrize(
    "request_",
    [
        security_pb2.ListSecurityEventsRequest(station_id="a/b"),
        security_pb2.ListSecurityEventsRequest(page_token="not-a-token"),
    ],
)
async def test_malformed_station_or_token_is_invalid_argument(request_: security_pb2.ListSecurityEventsRequest) -> None:
    with pytest.raises(Aborted) as aborted:
        await servicer([]).ListSecurityEvents(request_, CONTEXT)
    assert aborted.value.code == grpc.StatusCode.INVALID_ARGUMENT


async def test_issued_certificates_of_a_station_newest_first() -> None:
    store = InMemoryCertificateStore()
    store.issued["1"] = certificate("CS-1", "a1", NOW + timedelta(days=10), NOW - timedelta(days=355))
    store.issued["2"] = certificate("CS-1", "a2", NOW + timedelta(days=365), NOW)
    store.issued["3"] = certificate("CS-2", "b1", NOW + timedelta(days=365), NOW)
    response = await servicer([], store).ListIssuedCertificates(
        security_pb2.ListIssuedCertificatesRequest(station_id="CS-1"), CONTEXT
    )
    assert [c.serial_number for c in response.certificates] == ["a2", "a1"]
    assert response.certificates[0].not_after.ToDatetime().year == (NOW + timedelta(days=365)).year


async def test_issued_certificates_need_a_valid_station_id() -> None:
    with pytest.raises(Aborted) as aborted:
        await servicer([]).ListIssuedCertificates(security_pb2.ListIssuedCertificatesRequest(station_id=""), CONTEXT)
    assert aborted.value.code == grpc.StatusCode.INVALID_ARGUMENT
