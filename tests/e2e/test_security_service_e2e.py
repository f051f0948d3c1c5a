"""The security service end to end: 1.6 and 2.0.1 stations' SecurityEventNotifications are answered and visible
through the operator API and `csms security-events`; a 2.0.1 and a 1.6 station's SignCertificate is answered
Accepted and followed by CertificateSigned with a certificate of their own id chaining to the stack's station CA
(listed by the API and `csms certificates list`); such a short-lived certificate (the stack issues them for one
day and renews 30 days ahead) is followed by the renewal trigger (2.0.1 TriggerMessage
SignChargingStationCertificate, 1.6 ExtendedTriggerMessage SignChargePointCertificate); a CSR of another id is
Rejected and logged as a `csr_rejected` CSMS event."""

from __future__ import annotations

import json
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization

from csms_devtools.stack import Stack
from csms_kernel.ocpp.versions import OcppVersion
from csms_kernel.pki import certificates as pki
from csms_kernel.pki.dev import DevPki
from kit.api import api_client, create_key, unique
from kit.stack import PASSWORD, Cli, connected, register
from kit.stations.ocpp_client import connected_station
from kit.waiting import eventually, probe

pytestmark = pytest.mark.e2e

V16, V201 = OcppVersion.V16, OcppVersion.V201


def csr(common_name: str) -> str:
    key = pki.new_key()
    request = x509.CertificateSigningRequestBuilder().subject_name(pki.name(common_name, "E2E CPO"))
    return request.sign(key, hashes.SHA256()).public_bytes(serialization.Encoding.PEM).decode()


def station_ca(stack: Stack) -> x509.Certificate:
    assert stack.config.pki_dir is not None
    return pki.load_certificates(DevPki(stack.config.pki_dir).station_ca.certificate)[0]


async def notify(station: Any, version: OcppVersion, event_type: str, tech_info: str) -> Any:
    if version is V16:
        from ocpp.v16 import call

        return await station.call(
            call.SecurityEventNotification(type=event_type, timestamp="2026-12-06T10:00:00Z", tech_info=tech_info)
        )
    return await station.call(
        station.calls.SecurityEventNotification(type=event_type, timestamp="2026-12-06T10:00:00Z", tech_info=tech_info)
    )


async def sign(station: Any, version: OcppVersion, pem: str) -> Any:
    if version is V16:
        from ocpp.v16 import call

        return await station.call(call.SignCertificate(csr=pem))
    return await station.call(station.calls.SignCertificate(csr=pem, certificate_type="ChargingStationCertificate"))


@pytest.mark.parametrize("version", [V16, V201])
async def test_station_security_events_reach_the_api_and_the_cli(stack: Stack, cli: Cli, version: OcppVersion) -> None:
    station_id = unique(f"SEC{version.name}")
    register(cli, station_id)
    async with connected_station(stack.config.edge_url(0), station_id, PASSWORD, version) as station:
        await station.boot()
        answer = await notify(station, version, "TamperDetectionActivated", "lid opened")
    assert answer is not None
    key = create_key(cli, "read")
    async with api_client(stack, key) as http:

        async def events() -> list[dict[str, Any]]:
            found: list[dict[str, Any]] = (await http.get(f"/api/v1/stations/{station_id}/security-events")).json()[
                "items"
            ]
            return found

        [event] = await eventually(events, lambda found: len(found) == 1, what="the station's security event")
        everyone = (await http.get("/api/v1/security-events", params={"station_id": station_id})).json()["items"]
    assert {k: event[k] for k in ("station_id", "source", "type", "critical", "tech_info", "ocpp_version")} == {
        "station_id": station_id,
        "source": "station",
        "type": "TamperDetectionActivated",
        "critical": True,
        "tech_info": "lid opened",
        "ocpp_version": {V16: "1.6", V201: "2.0.1"}[version],
    }
    assert event["occurred_at"] == "2026-12-06T10:00:00Z"
    assert [e["event_id"] for e in everyone] == [event["event_id"]]
    listed = cli("security-events", "--station", station_id, "--json")
    assert listed.returncode == 0, listed.stderr
    assert [(e["type"], e["station_id"]) for e in json.loads(listed.stdout)] == [
        ("TamperDetectionActivated", station_id)
    ]


@pytest.mark.parametrize(
    ("version", "trigger"),
    [
        (V201, ("TriggerMessage", {"requestedMessage": "SignChargingStationCertificate"})),
        (V16, ("ExtendedTriggerMessage", {"requestedMessage": "SignChargePointCertificate"})),
    ],
)
async def test_sign_certificate_then_certificate_signed_then_renewal(
    stack: Stack, cli: Cli, version: OcppVersion, trigger: tuple[str, dict[str, str]]
) -> None:
    station_id = unique(f"CSR{version.name}")
    register(cli, station_id)
    async with connected_station(stack.config.edge_url(0), station_id, PASSWORD, version) as station:
        await station.boot()
        await connected(stack, station_id)
        answer = await sign(station, version, csr(station_id))
        assert answer.status == "Accepted"
        [(_, chain)] = await eventually(
            probe(lambda: list(station.certificates.signed)), lambda s: len(s) == 1, what="CertificateSigned"
        )
        await eventually(
            probe(lambda: list(station.received.calls)), lambda calls: trigger in calls, what="the renewal trigger"
        )
    leaf, issuer = x509.load_pem_x509_certificates(chain.encode())
    assert pki.common_name(leaf) == station_id
    assert issuer == station_ca(stack)
    leaf.verify_directly_issued_by(station_ca(stack))
    listed = cli("certificates", "list", station_id, "--json")
    assert listed.returncode == 0, listed.stderr
    [certificate] = json.loads(listed.stdout)
    assert certificate["serial_number"] == f"{leaf.serial_number:x}"
    assert certificate["certificate_type"] == "ChargingStationCertificate"
    async with api_client(stack, create_key(cli, "read")) as http:
        certificates = (await http.get(f"/api/v1/stations/{station_id}/certificates")).json()
        assert [c["serial_number"] for c in certificates] == [f"{leaf.serial_number:x}"]
        types = await eventually(
            lambda: _event_types(http, station_id), lambda found: "certificate_issued" in found, what="issued event"
        )
    assert "certificate_issued" in types


async def _event_types(http: Any, station_id: str) -> list[str]:
    items = (await http.get(f"/api/v1/stations/{station_id}/security-events")).json()["items"]
    return [item["type"] for item in items]


async def test_a_csr_of_another_station_is_rejected_and_logged(stack: Stack, cli: Cli) -> None:
    station_id = unique("CSRBAD")
    register(cli, station_id)
    async with connected_station(stack.config.edge_url(0), station_id, PASSWORD, V201) as station:
        await station.boot()
        answer = await sign(station, V201, csr("SOMEONE-ELSE"))
    assert answer.status == "Rejected"
    async with api_client(stack, create_key(cli, "read")) as http:
        types = await eventually(
            lambda: _event_types(http, station_id), lambda found: found == ["csr_rejected"], what="csr_rejected"
        )
        [event] = (await http.get(f"/api/v1/stations/{station_id}/security-events")).json()["items"]
    assert types == ["csr_rejected"]
    assert (event["source"], event["details"]["reason"]) == ("csms", "wrong_common_name")
    assert station.certificates.signed == []
