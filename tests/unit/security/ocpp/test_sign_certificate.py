"""SignCertificate on each version, through that version's routing table: an acceptable CSR is recorded as a
signing request and answered Accepted; a refused one is answered Rejected with a `csr_rejected` CSMS event."""

from __future__ import annotations

import pytest

from csms.security.v1 import security_pb2
from csms_kernel.ocpp.versions import OcppVersion
from csms_security.domain.csr import CHARGING_STATION, V2G
from csms_security.ports import SigningRequest
from kit.builders.security import NOW, STATION, Csms, csr_pem, rsa_1024

VERSIONS = [OcppVersion.V16, OcppVersion.V201, OcppVersion.V21]


@pytest.mark.parametrize("version", VERSIONS)
async def test_an_acceptable_csr_is_accepted_and_recorded_once(version: OcppVersion) -> None:
    csms = Csms(version)
    pem = csr_pem()
    assert await csms.result("SignCertificate", {"csr": pem}) == {"status": "Accepted"}
    assert await csms.result("SignCertificate", {"csr": pem}) == {"status": "Accepted"}
    [request] = csms.store.requests.values()
    assert request == SigningRequest(request.request_id, STATION, CHARGING_STATION, pem, NOW)
    assert csms.store.pending_ids == [request.request_id]


@pytest.mark.parametrize("version", [OcppVersion.V201, OcppVersion.V21])
async def test_the_2x_certificate_type_is_taken_from_the_request(version: OcppVersion) -> None:
    csms = Csms(version)
    payload = {"csr": csr_pem(), "certificateType": "ChargingStationCertificate"}
    assert await csms.result("SignCertificate", payload) == {"status": "Accepted"}
    assert [r.certificate_type for r in csms.store.requests.values()] == [CHARGING_STATION]


@pytest.mark.parametrize("version", [OcppVersion.V201, OcppVersion.V21])
async def test_v2g_without_a_v2g_ca_is_rejected(version: OcppVersion) -> None:
    csms = Csms(version)
    answer = await csms.send("SignCertificate", {"csr": csr_pem(), "certificateType": V2G})
    assert answer.frame == '[3,"msg-1",{"status":"Rejected"}]'
    assert answer.events[0].event.details["reason"] == "unsupported_type"
    assert csms.store.requests == {}


@pytest.mark.parametrize("version", VERSIONS)
async def test_a_weak_key_is_rejected_with_a_csr_rejected_event(version: OcppVersion) -> None:
    csms = Csms(version)
    answer = await csms.send("SignCertificate", {"csr": csr_pem(key=rsa_1024())}, message_id="m-9")
    assert answer.frame == '[3,"m-9",{"status":"Rejected"}]'
    [record] = answer.events
    event = record.event
    assert (event.source, event.type, event.station_id) == (
        security_pb2.SECURITY_EVENT_SOURCE_CSMS,
        "csr_rejected",
        STATION,
    )
    assert dict(event.details) == {
        "reason": "weak_key",
        "certificate_type": CHARGING_STATION,
        "message_id": "m-9",
    }
    assert event.tech_info == "RSA key of 1024 bits (at least 2048 required)"
    again = await csms.send("SignCertificate", {"csr": csr_pem(key=rsa_1024())}, message_id="m-9")
    assert again.events[0].event.event_id == event.event_id
    assert csms.store.requests == {}


@pytest.mark.parametrize("version", VERSIONS)
async def test_another_stations_csr_is_rejected(version: OcppVersion) -> None:
    csms = Csms(version)
    answer = await csms.send("SignCertificate", {"csr": csr_pem("CS-2")})
    assert '"Rejected"' in answer.frame
    assert answer.events[0].event.details["reason"] == "wrong_common_name"


async def test_without_a_station_ca_every_csr_is_rejected() -> None:
    csms = Csms(OcppVersion.V201, authorities={})
    answer = await csms.send("SignCertificate", {"csr": csr_pem()})
    assert '"Rejected"' in answer.frame
    assert answer.events[0].event.details["reason"] == "unsupported_type"


async def test_an_oversize_csr_is_refused_by_the_schema() -> None:
    answer = await Csms(OcppVersion.V201).send("SignCertificate", {"csr": "A" * 5501})
    assert answer.is_error
    assert answer.events == []


async def test_the_21_request_id_is_kept_for_certificate_signed() -> None:
    csms = Csms(OcppVersion.V21)
    assert await csms.result("SignCertificate", {"csr": csr_pem(), "requestId": 42}) == {"status": "Accepted"}
    assert [r.ocpp_request_id for r in csms.store.requests.values()] == [42]
