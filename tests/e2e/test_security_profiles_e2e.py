"""Security profiles end to end (docs/adr/0024, 0025): a 1.6 and a 2.0.1 station (the `ocpp` package's clients
over Python `ssl`) at profile 2 (wss:// + Basic auth) and profile 3 (wss:// + their own client certificate, no
password) boot and charge a session on the real stack; a profile 2 station over ws:// is refused with 401 and a
security event on `csms.security.events.v1`. Each station then renews its certificate the OCPP way: its CSR is
signed (CertificateSigned, a chain of its id from the station CA), the CSMS asks it to renew before expiry (the
e2e stack issues one-day certificates), and a profile 3 station reconnects with the new certificate.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import grpc
import pytest
import pytest_asyncio
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from ocpp.v16 import call as call16
from websockets.exceptions import InvalidStatus

from csms.authorization.v1 import authorization_pb2, authorization_pb2_grpc
from csms.transactions.v1 import transactions_pb2, transactions_pb2_grpc
from csms_devtools.stack import Stack
from csms_kernel.clients.channels import channel as grpc_channel
from csms_kernel.ocpp.versions import OcppVersion
from csms_kernel.pki import certificates as x
from csms_kernel.pki.dev import DevPki, Pair
from kit.pki import StationCertificate, issue_station_certificate, station_tls_context
from kit.security_events import SecurityEventsTail
from kit.stack import PASSWORD, connected
from kit.stations.ocpp_client import connected_station
from kit.waiting import eventually, probe

pytestmark = pytest.mark.e2e


def iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


async def register(stack: Stack, station_id: str, profile: int, token: str) -> None:
    station = authorization_pb2.RegisterStationRequest(
        station_id=station_id, password=PASSWORD if profile < 3 else "", security_profile=profile
    )
    id_token = authorization_pb2.UpsertIdTokenRequest(
        id_token=token, type=authorization_pb2.ID_TOKEN_TYPE_ISO14443, status=authorization_pb2.ID_TOKEN_STATUS_ACCEPTED
    )
    async with grpc_channel(stack.config.authorization_address, stack.config.grpc_tls()) as channel:
        stub = authorization_pb2_grpc.AuthorizationServiceStub(channel)
        await stub.RegisterStation(station, timeout=10)
        await stub.UpsertIdToken(id_token, timeout=10)


async def session(station: object, version: OcppVersion, token: str) -> str:
    """Start and stop one transaction; returns its id."""
    t0 = datetime.now(UTC).replace(microsecond=0)
    if version is OcppVersion.V16:
        start = call16.StartTransaction(connector_id=1, id_tag=token, meter_start=1000, timestamp=iso(t0))
        started = await station.call(start)  # type: ignore[attr-defined]
        assert started.id_tag_info["status"] == "Accepted"
        stop = call16.StopTransaction(
            meter_stop=6000, timestamp=iso(t0 + timedelta(minutes=30)), transaction_id=started.transaction_id
        )
        await station.call(stop)  # type: ignore[attr-defined]
        return str(started.transaction_id)
    transaction_id = f"tx-{uuid.uuid4().hex[:8]}"
    id_token = {"id_token": token, "type": "ISO14443"}
    calls = station.calls  # type: ignore[attr-defined]
    started = await station.call(  # type: ignore[attr-defined]
        calls.TransactionEvent(
            event_type="Started", timestamp=iso(t0), trigger_reason="Authorized", seq_no=0,
            transaction_info={"transaction_id": transaction_id, "charging_state": "Charging"},
            id_token=id_token, evse={"id": 1, "connector_id": 1},
        )
    )  # fmt: skip
    assert started.id_token_info["status"] == "Accepted"
    await station.call(  # type: ignore[attr-defined]
        calls.TransactionEvent(
            event_type="Ended", timestamp=iso(t0 + timedelta(minutes=30)), trigger_reason="StopAuthorized", seq_no=1,
            transaction_info={"transaction_id": transaction_id, "stopped_reason": "Local"}, id_token=id_token,
        )
    )  # fmt: skip
    return transaction_id


async def renew(station: Any, version: OcppVersion, directory: Path) -> Pair:
    """Sends SignCertificate with a CSR for a new key and waits for its CertificateSigned and the CSMS's renewal
    trigger; returns the new certificate chain and key (written to `directory`)."""
    key = x.new_key()
    csr = x509.CertificateSigningRequestBuilder().subject_name(x.name(station.id)).sign(key, hashes.SHA256())
    pem = csr.public_bytes(serialization.Encoding.PEM).decode()
    if version is OcppVersion.V16:
        answer = await station.call(call16.SignCertificate(csr=pem))
        trigger = ("ExtendedTriggerMessage", {"requestedMessage": "SignChargePointCertificate"})
    else:
        answer = await station.call(
            station.calls.SignCertificate(csr=pem, certificate_type="ChargingStationCertificate")
        )
        trigger = ("TriggerMessage", {"requestedMessage": "SignChargingStationCertificate"})
    assert answer.status == "Accepted"
    [(_, chain)] = await eventually(
        probe(lambda: list(station.certificates.signed)), lambda signed: len(signed) == 1, what="CertificateSigned"
    )
    await eventually(
        probe(lambda: list(station.received.calls)), lambda calls: trigger in calls, what="the renewal trigger"
    )
    leaf = x509.load_pem_x509_certificates(chain.encode())[0]
    assert x.common_name(leaf) == station.id
    assert leaf.public_key() == key.public_key()
    pair = Pair(directory / f"{station.id}.pem", directory / f"{station.id}.key")
    pair.certificate.write_text(chain)
    x.write_key(pair.key, key)
    return pair


async def ended(stack: Stack, station_id: str, transaction_id: str) -> bool:
    request = transactions_pb2.GetTransactionRequest(station_id=station_id, transaction_id=transaction_id)
    async with grpc_channel(stack.config.transactions_address, stack.config.grpc_tls()) as channel:
        try:
            response = await transactions_pb2_grpc.TransactionsServiceStub(channel).GetTransaction(request, timeout=10)
        except grpc.aio.AioRpcError:
            return False
    return bool(response.transaction.state == transactions_pb2.TRANSACTION_STATE_ENDED)


@pytest_asyncio.fixture(loop_scope="session")
async def security_events(stack: Stack) -> AsyncIterator[SecurityEventsTail]:
    tail = await SecurityEventsTail.start(stack.config.kafka_bootstrap)
    try:
        yield tail
    finally:
        await tail.stop()


@pytest.mark.parametrize("version", [OcppVersion.V16, OcppVersion.V201])
@pytest.mark.parametrize("profile", [2, 3])
async def test_a_station_boots_charges_and_renews_its_certificate_over_tls(
    stack: Stack, dev_pki: DevPki, version: OcppVersion, profile: int, tmp_path: Path
) -> None:
    station_id = f"E2E-SP{profile}-{version.name}-{uuid.uuid4().hex[:6]}".upper()
    token = f"TOK-{uuid.uuid4().hex[:8]}".upper()
    await register(stack, station_id, profile, token)
    certificate = issue_station_certificate(dev_pki, station_id) if profile == 3 else None
    tls = station_tls_context(dev_pki, certificate)
    password = PASSWORD if profile == 2 else None
    async with connected_station(stack.config.edge_tls_url(1), station_id, password, version, tls=tls) as station:
        boot = await station.boot()
        assert boot.status == "Accepted"
        await connected(stack, station_id)
        transaction_id = await session(station, version, token)
        renewed = await renew(station, version, tmp_path)
    await eventually(lambda: ended(stack, station_id, transaction_id), bool, timeout_s=60, what="transaction ended")
    if profile == 3:
        new_tls = station_tls_context(dev_pki, StationCertificate(station_id, renewed))
        async with connected_station(stack.config.edge_tls_url(0), station_id, None, version, tls=new_tls) as station:
            assert (await station.boot()).status == "Accepted"


async def test_a_profile_2_station_over_ws_is_refused_with_a_security_event(
    stack: Stack, security_events: SecurityEventsTail
) -> None:
    station_id = f"E2E-DOWN-{uuid.uuid4().hex[:6]}".upper()
    await register(stack, station_id, 2, "TOK-UNUSED")
    with pytest.raises(InvalidStatus) as refused:
        async with connected_station(stack.config.edge_url(0), station_id, PASSWORD, OcppVersion.V201):
            pass
    assert refused.value.response.status_code == 401
    event = await security_events.wait_for(station_id, lambda e: e.type == "handshake_refused")
    assert (event.details["reason"], event.details["presented_profile"]) == ("profile_too_low", "1")
    assert event.edge_node_id == stack.config.edge_node_id(0)
