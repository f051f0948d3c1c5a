"""The security commands end to end (docs/adr/0027), through the HTTP API and the CLI to a 1.6 and a 2.0.1 station
(the `ocpp` package's clients, tests/kit/stations): root certificates installed, listed by hash data (checked
against the station's own computation), deleted by certificate and by hash data; a signed chain delivered; a CSR
asked for (1.6 through ExtendedTriggerMessage); and password rotation: the station takes the new password, both
verify until it reconnects with it, then only the new one: never a moment in which its credential is refused;
a rotation the station rejects is cancelled; and the security profile upgrade from 1 to 2: the station takes it
(1.6 SecurityProfile; 2.0.1 a network profile with the wss:// URL put first, then a reset), reconnects over wss://
and is registered at 2, after which ws:// is refused; a downgrade and an upgrade the station rejects change
nothing. The password never appears in the command record."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest
from websockets.exceptions import InvalidStatus

from csms.authorization.v1 import authorization_pb2, authorization_pb2_grpc
from csms_devtools.stack import Stack
from csms_kernel.ocpp.versions import OcppVersion
from csms_kernel.pki import certificates as pki
from csms_kernel.pki.dev import DevPki
from kit.api import answered, problem, register
from kit.pki import station_tls_context
from kit.stack import PASSWORD, Cli, connected
from kit.stations.ocpp_client import connected_station, hash_data
from kit.waiting import eventually

pytestmark = pytest.mark.e2e

V16, V201 = OcppVersion.V16, OcppVersion.V201
ROOT_TYPE = {V16: "CentralSystemRootCertificate", V201: "CSMSRootCertificate"}
NEW_PASSWORD = {V16: "0123456789ABCDEF0123456789ABCDEF01234567", V201: "a-rotated-password-2026"}
REGISTERED = {V16: NEW_PASSWORD[V16].lower(), V201: NEW_PASSWORD[V201]}


@pytest.fixture(scope="module")
def root() -> tuple[str, str]:
    """A root CA certificate as PEM, and a certificate it issued followed by it (a chain)."""
    key = pki.new_key()
    ca = pki.self_signed_ca(pki.name("E2E Operator Root"), key, days=30)
    leaf = pki.issue(ca, key, pki.name("E2E-LEAF"), pki.new_key().public_key(), days=10)
    return pki.certificate_pem(ca).decode(), pki.certificate_pem(leaf, ca).decode()


async def verdict(
    authorization: authorization_pb2_grpc.AuthorizationServiceStub, station_id: str, password: str
) -> int:
    request = authorization_pb2.VerifyStationCredentialsRequest(
        station_id=station_id, password=password, presented_profile=1
    )
    return int((await authorization.VerifyStationCredentials(request)).verdict)


@pytest.mark.parametrize("version", [V16, V201])
async def test_root_certificates_installed_listed_and_deleted(
    stack: Stack,
    admin: httpx.AsyncClient,
    operator: httpx.AsyncClient,
    cli: Cli,
    tmp_path: Any,
    root: tuple[str, str],
    version: OcppVersion,
) -> None:
    root_pem, chain_pem = root
    station_id = await register(admin, f"E2E-CERT-{version.schema_dir}")
    async with connected_station(stack.config.edge_url(0), station_id, PASSWORD, version) as station:
        assert (await station.boot()).status == "Accepted"
        await connected(stack, station_id)

        installed = await answered(
            operator, station_id, "install-certificate", {"certificate_type": "csms_root", "certificate_pem": root_pem}
        )
        assert installed["result"] == {"status": "accepted"}
        assert station.certificates.installed == {ROOT_TYPE[version]: [root_pem]}

        listed = await answered(operator, station_id, "get-installed-certificate-ids", {})
        assert listed["result"] == {
            "status": "accepted",
            "certificates": [{"certificate_type": "csms_root", **hash_data(root_pem)}],
        }

        pem_file = tmp_path / "root.pem"
        pem_file.write_text(root_pem)
        deleted = await asyncio.to_thread(
            cli, "command", "delete-certificate", station_id, "--certificate-file", str(pem_file)
        )
        assert deleted.returncode == 0, deleted.stderr
        assert '"status": "accepted"' in deleted.stdout
        assert station.certificates.installed == {ROOT_TYPE[version]: []}

        again = await answered(operator, station_id, "delete-certificate", hash_data(root_pem))
        assert again["result"] == {"status": "not_found"}
        listed = await answered(
            operator, station_id, "get-installed-certificate-ids", {"certificate_types": ["csms_root"]}
        )
        assert listed["result"] == {"status": "not_found", "certificates": []}

        signed = await answered(operator, station_id, "certificate-signed", {"certificate_chain_pem": chain_pem})
        assert signed["result"] == {"status": "accepted"}
        kind = None if version is V16 else "ChargingStationCertificate"
        assert station.certificates.signed == [(kind, chain_pem)]

        trigger = await answered(
            operator, station_id, "trigger-message", {"message": "sign_charging_station_certificate"}
        )
        assert trigger["result"] == {"status": "accepted"}
        action, requested = (
            ("ExtendedTriggerMessage", "SignChargePointCertificate")
            if version is V16
            else (
                "TriggerMessage",
                "SignChargingStationCertificate",
            )
        )
        assert station.received.calls[-1] == (action, {"requestedMessage": requested})


@pytest.mark.parametrize("version", [V16, V201])
async def test_password_rotation_without_a_window(
    stack: Stack,
    admin: httpx.AsyncClient,
    operator: httpx.AsyncClient,
    authorization: authorization_pb2_grpc.AuthorizationServiceStub,
    version: OcppVersion,
) -> None:
    station_id = await register(admin, f"E2E-ROTATE-{version.schema_dir}")
    url = stack.config.edge_url(0)
    async with connected_station(url, station_id, PASSWORD, version) as station:
        assert (await station.boot()).status == "Accepted"
        await connected(stack, station_id)
        rotated = await answered(operator, station_id, "set-password", {"password": NEW_PASSWORD[version]})
        assert rotated["result"] == {"status": "accepted"}
        assert station.credentials.password == REGISTERED[version]
        shown = str(rotated)
        assert NEW_PASSWORD[version] not in shown and REGISTERED[version] not in shown and "<redacted>" in shown
        # the station holds the new password, may reconnect any time: both verify until it does
        accepted = authorization_pb2.VERDICT_ACCEPTED
        assert await verdict(authorization, station_id, PASSWORD) == accepted
        assert await verdict(authorization, station_id, REGISTERED[version]) == accepted

    async with connected_station(url, station_id, station.credentials.password, version) as reconnected:
        assert (await reconnected.boot()).status == "Accepted"

    async def old_verdict() -> int:
        return await verdict(authorization, station_id, PASSWORD)

    await eventually(old_verdict, lambda found: found == authorization_pb2.VERDICT_WRONG_PASSWORD, timeout_s=15)
    assert await verdict(authorization, station_id, REGISTERED[version]) == authorization_pb2.VERDICT_ACCEPTED

    async def old_at_the_edge() -> int:
        try:
            async with connected_station(url, station_id, PASSWORD, version):
                return 101
        except InvalidStatus as refused:
            return refused.response.status_code

    await eventually(old_at_the_edge, lambda status: status == 401, timeout_s=15, what="the old password refused")


async def test_a_rotation_the_station_rejects_is_cancelled(
    stack: Stack,
    admin: httpx.AsyncClient,
    operator: httpx.AsyncClient,
    authorization: authorization_pb2_grpc.AuthorizationServiceStub,
) -> None:
    station_id = await register(admin, "E2E-ROTATE-REJECTED")
    async with connected_station(stack.config.edge_url(0), station_id, PASSWORD, V201) as station:
        assert (await station.boot()).status == "Accepted"
        await connected(stack, station_id)
        station.credentials.accept = False
        rejected = await answered(operator, station_id, "set-password", {"password": NEW_PASSWORD[V201]})
        assert rejected["result"] == {"status": "rejected"}
        assert await verdict(authorization, station_id, NEW_PASSWORD[V201]) == authorization_pb2.VERDICT_WRONG_PASSWORD
        assert await verdict(authorization, station_id, PASSWORD) == authorization_pb2.VERDICT_ACCEPTED
        registered = await authorization.GetRegisteredStation(
            authorization_pb2.GetRegisteredStationRequest(station_id=station_id)
        )
        assert not registered.station.password_rotation_pending


async def registered(
    authorization: authorization_pb2_grpc.AuthorizationServiceStub, station_id: str
) -> authorization_pb2.RegisteredStation:
    request = authorization_pb2.GetRegisteredStationRequest(station_id=station_id)
    return (await authorization.GetRegisteredStation(request)).station


async def status_at(url: str, station_id: str, version: OcppVersion, **tls: Any) -> int:
    """101 when the station gets in, else the HTTP status of the refusal."""
    try:
        async with connected_station(url, station_id, PASSWORD, version, **tls):
            return 101
    except InvalidStatus as refused:
        return int(refused.response.status_code)


@pytest.mark.parametrize("version", [V16, V201])
async def test_security_profile_upgrade_from_1_to_2(
    stack: Stack,
    dev_pki: DevPki,
    admin: httpx.AsyncClient,
    operator: httpx.AsyncClient,
    authorization: authorization_pb2_grpc.AuthorizationServiceStub,
    version: OcppVersion,
) -> None:
    station_id = await register(admin, f"E2E-UPGRADE-{version.schema_dir}")
    url, wss = stack.config.edge_url(0), stack.config.edge_tls_url(0)
    params: dict[str, Any] = {"security_profile": 2}
    if version is V201:
        params |= {"csms_url": wss, "configuration_slot": 2, "fallback_slots": [1]}
    async with connected_station(url, station_id, PASSWORD, version) as station:
        assert (await station.boot()).status == "Accepted"
        await connected(stack, station_id)
        upgraded = await answered(operator, station_id, "set-security-profile", params)
        assert upgraded["result"]["status"] == "accepted", upgraded
        assert station.credentials.security_profile == (2 if version is V16 else 1)
        if version is V201:
            assert [call[0] for call in station.received.calls] == ["SetNetworkProfile", "SetVariables", "Reset"]
            assert station.credentials.network_profiles[2]["ocpp_csms_url"] == wss
            assert station.credentials.network_profiles[2]["security_profile"] == 2
            assert station.credentials.network_priority == "2,1"
        pending = await registered(authorization, station_id)
        assert (pending.security_profile, pending.pending_security_profile) == (1, 2)

    # until the station comes back at 2 it may still come at 1 (it could fall back to its old slot)
    assert await verdict(authorization, station_id, PASSWORD) == authorization_pb2.VERDICT_ACCEPTED
    tls = station_tls_context(dev_pki)
    async with connected_station(wss, station_id, PASSWORD, version, tls=tls) as reconnected:
        assert (await reconnected.boot()).status == "Accepted"

    async def profile() -> tuple[int, int]:
        found = await registered(authorization, station_id)
        return found.security_profile, found.pending_security_profile

    await eventually(profile, lambda found: found == (2, 0), timeout_s=15, what="registered at 2")
    assert await status_at(wss, station_id, version, tls=tls) == 101
    await eventually(
        lambda: status_at(url, station_id, version), lambda status: status == 401, timeout_s=15, what="ws:// refused"
    )

    downgrade = await operator.post(
        f"/api/v1/stations/{station_id}/commands/set-security-profile",
        json={"security_profile": 2, **({} if version is V16 else params)},
    )
    assert "2 is not an upgrade" in problem(downgrade, 422)["detail"]


async def test_an_upgrade_the_station_rejects_is_cancelled(
    stack: Stack,
    admin: httpx.AsyncClient,
    operator: httpx.AsyncClient,
    authorization: authorization_pb2_grpc.AuthorizationServiceStub,
) -> None:
    station_id = await register(admin, "E2E-UPGRADE-REJECTED")
    params = {"security_profile": 3, "csms_url": stack.config.edge_tls_url(0), "configuration_slot": 2}
    async with connected_station(stack.config.edge_url(0), station_id, PASSWORD, V201) as station:
        assert (await station.boot()).status == "Accepted"
        await connected(stack, station_id)
        station.credentials.accept = False
        rejected = await answered(operator, station_id, "set-security-profile", params)
        assert rejected["result"]["status"] == "rejected"
        assert [call[0] for call in station.received.calls] == ["SetNetworkProfile"]
        found = await registered(authorization, station_id)
        assert (found.security_profile, found.pending_security_profile) == (1, 0)
