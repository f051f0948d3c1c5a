"""The handshake attack suite against a real edge node (real sockets, real TLS, real Kafka; fake station
registry with the registry's profile rule): wrong, absent, expired and other stations' client certificates,
security profile downgrades, forged proxy headers from an untrusted address, a trusted proxy's forwarded
certificate, brute force into the lockout and the connection limit. Each asserts the exact refusal (HTTP status
or TLS alert) and the CSMS security event on `csms.security.events.v1` (docs/adr/0025).
"""

from __future__ import annotations

import asyncio
import shutil
import ssl
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
import pytest_asyncio
import websockets
from prometheus_client import REGISTRY
from websockets.asyncio.client import ClientConnection
from websockets.exceptions import InvalidMessage, InvalidStatus
from websockets.typing import Subprotocol

from csms.security.v1 import security_pb2
from csms_edge.bootstrap import EdgeNode
from csms_kernel.pki.dev import DevPki, ensure_dev_pki
from kit.edge_node import delete_delivery_topic, edge_settings
from kit.fakes.edge import FakeRegistry
from kit.pki import (
    StationCertificate,
    expired_station_certificate,
    issue_station_certificate,
    other_ca,
    station_tls_context,
)
from kit.security_events import SecurityEventsTail
from kit.waiting import eventually
from loadtest.station_socket import basic_auth

pytestmark = pytest.mark.integration

PASSWORD = "s3cret-password-16"
PROXY = "127.0.0.2"
CERT_HEADER = "X-SSL-Client-Cert"


class Node:
    def __init__(self, node: EdgeNode, registry: FakeRegistry, pki: DevPki, events: SecurityEventsTail) -> None:
        self.node = node
        self.registry = registry
        self.pki = pki
        self.events = events

    def register(self, profile: int) -> str:
        station_id = f"CS-{uuid.uuid4().hex[:10]}"
        self.registry.credentials[station_id] = PASSWORD
        self.registry.profiles[station_id] = profile
        return station_id

    def connect(
        self,
        station_id: str,
        *,
        tls: bool,
        certificate: StationCertificate | None = None,
        password: str | None = PASSWORD,
        headers: dict[str, str] | None = None,
        source: str = "127.0.0.1",
        context: ssl.SSLContext | None = None,
    ) -> Any:
        scheme, port = ("wss", self.node.tls_port) if tls else ("ws", self.node.ws_port)
        extra = dict(headers or {})
        if password is not None:
            extra["Authorization"] = basic_auth(station_id, password)
        options: dict[str, Any] = {}
        if tls:
            options["ssl"] = context or station_tls_context(self.pki, certificate)
        return websockets.connect(
            f"{scheme}://127.0.0.1:{port}/ocpp/{quote(station_id, safe='')}",
            subprotocols=[Subprotocol("ocpp2.0.1")],
            additional_headers=extra,
            open_timeout=10,
            local_addr=(source, 0),
            **options,
        )

    async def refused(self, station_id: str, **kwargs: Any) -> int:
        with pytest.raises(InvalidStatus) as refused:
            async with self.connect(station_id, **kwargs):
                pass
        return int(refused.value.response.status_code)


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def edge(infra: Any, dev_pki: DevPki) -> AsyncIterator[Node]:
    registry = FakeRegistry()
    settings = edge_settings(
        infra.kafka_bootstrap,
        tls_port=0,
        tls_cert_file=str(dev_pki.server_chain),
        tls_key_file=str(dev_pki.server.key),
        station_ca_file=str(dev_pki.station_ca.certificate),
        trusted_proxies=[PROXY],
        proxy_client_cert_header=CERT_HEADER,
        lockout_free_failures=3,
        address_free_failures=1_000,
        station_free_failures=1_000,
        max_connections_per_address=3,
        registry_refused_ttl_s=0.0,
    )
    node = EdgeNode(settings, registry=registry)
    await node.start()
    events = await SecurityEventsTail.start(infra.kafka_bootstrap)
    try:
        yield Node(node, registry, dev_pki, events)
    finally:
        await events.stop()
        await node.stop()
        await delete_delivery_topic(infra.kafka_bootstrap, settings.node_id)


async def accepted(connection: Any) -> ClientConnection:
    ws: ClientConnection = await connection
    return ws


async def test_profile_2_over_wss_with_its_password(edge: Node) -> None:
    station_id = edge.register(2)
    async with edge.connect(station_id, tls=True) as ws:
        assert ws.subprotocol == "ocpp2.0.1"
    assert edge.registry.presented[-1] == 2


async def test_profile_3_with_its_own_certificate_and_no_password(edge: Node) -> None:
    station_id = edge.register(3)
    certificate = issue_station_certificate(edge.pki, station_id)
    async with edge.connect(station_id, tls=True, certificate=certificate, password=None) as ws:
        assert ws.subprotocol == "ocpp2.0.1"
    assert edge.registry.calls[-1] == (station_id, "") and edge.registry.presented[-1] == 3


async def test_downgrade_profile_2_station_over_ws_is_401_and_an_event(edge: Node) -> None:
    station_id = edge.register(2)
    assert await edge.refused(station_id, tls=False) == 401
    event = await edge.events.wait_for(station_id, lambda e: e.type == "handshake_refused")
    assert event.details["reason"] == "profile_too_low" and event.details["presented_profile"] == "1"
    assert event.edge_node_id == edge.node.settings.node_id and event.remote_address == "127.0.0.1"
    assert event.source == security_pb2.SECURITY_EVENT_SOURCE_CSMS


async def test_downgrade_profile_3_station_over_wss_without_certificate_is_401(edge: Node) -> None:
    station_id = edge.register(3)
    assert await edge.refused(station_id, tls=True) == 401
    event = await edge.events.wait_for(station_id, lambda e: e.type == "handshake_refused")
    assert (event.details["reason"], event.details["presented_profile"]) == ("profile_too_low", "2")


async def test_another_stations_certificate_is_401_and_rejected(edge: Node) -> None:
    victim, attacker = edge.register(3), edge.register(3)
    certificate = issue_station_certificate(edge.pki, attacker)
    assert await edge.refused(victim, tls=True, certificate=certificate, password=None) == 401
    event = await edge.events.wait_for(victim, lambda e: e.type == "client_certificate_rejected")
    assert attacker in event.tech_info and event.critical
    assert edge.registry.calls.count((victim, "")) == 0  # never asked the registry


async def test_a_certificate_of_another_ca_fails_the_tls_handshake(edge: Node, tmp_path: Path) -> None:
    """OpenSSL verifies the chain during the TLS handshake and aborts it (TLS 1.2: the TLS handshake fails;
    TLS 1.3: the connection closes before any HTTP answer); the registry is never asked, and each refusal is a
    security event with the address (no station id: the station never got to name itself)."""
    station_id = edge.register(3)
    certificate = issue_station_certificate(edge.pki, station_id, ca=other_ca(tmp_path / "other"))
    calls = len(edge.registry.calls)
    tls12 = station_tls_context(edge.pki, certificate)
    tls12.maximum_version = ssl.TLSVersion.TLSv1_2
    with pytest.raises((ssl.SSLError, ConnectionResetError)) as failed:
        async with edge.connect(station_id, tls=True, context=tls12, password=None):
            pass
    assert isinstance(failed.value, ConnectionResetError) or "UNKNOWN_CA" in str(failed.value)
    with pytest.raises(InvalidMessage, match="did not receive a valid HTTP response"):
        async with edge.connect(station_id, tls=True, certificate=certificate, password=None):
            pass
    assert len(edge.registry.calls) == calls
    refusals = await edge.events.wait_for_all("", lambda e: e.type == "client_certificate_rejected", 2)
    for event in refusals:
        assert (event.station_id, event.remote_address, event.critical) == ("", "127.0.0.1", True)
        assert event.details["stage"] == "tls" and event.details["reason"] == "untrusted_certificate"
        assert "unable to get local issuer certificate" in event.details["verify_message"]


async def test_an_expired_certificate_of_the_station_is_401_and_rejected(edge: Node) -> None:
    """The TLS handshake lets the expired certificate through (validity periods are the edge's check), so the
    station gets an HTTP answer and the refusal is a security event; the registry is never asked."""
    station_id = edge.register(3)
    calls = len(edge.registry.calls)
    expired = expired_station_certificate(edge.pki, station_id)
    assert await edge.refused(station_id, tls=True, certificate=expired, password=None) == 401
    event = await edge.events.wait_for(station_id, lambda e: e.type == "client_certificate_rejected")
    assert "client certificate expired at" in event.tech_info and event.critical
    assert len(edge.registry.calls) == calls


async def test_forged_proxy_headers_from_an_untrusted_address_are_ignored(edge: Node) -> None:
    station_id = edge.register(3)
    certificate = issue_station_certificate(edge.pki, station_id)
    forged = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "198.51.100.1", CERT_HEADER: quote(certificate.pem)}
    assert await edge.refused(station_id, tls=False, password=PASSWORD, headers=forged) == 401
    event = await edge.events.wait_for(station_id, lambda e: e.type == "handshake_refused")
    assert event.details["presented_profile"] == "1" and event.remote_address == "127.0.0.1"
    assert event.details["ignored_proxy_headers"] == f"X-Forwarded-For,X-Forwarded-Proto,{CERT_HEADER}"


async def test_a_trusted_proxys_forwarded_certificate_is_verified_again(edge: Node) -> None:
    station_id = edge.register(3)
    good = {
        "X-Forwarded-Proto": "https",
        "X-Forwarded-For": "198.51.100.1",
        CERT_HEADER: quote(issue_station_certificate(edge.pki, station_id).pem),
    }
    async with edge.connect(station_id, tls=False, password=None, headers=good, source=PROXY):
        pass
    assert edge.registry.presented[-1] == 3
    expired = {**good, CERT_HEADER: quote(expired_station_certificate(edge.pki, station_id).pem)}
    assert await edge.refused(station_id, tls=False, password=None, headers=expired, source=PROXY) == 401
    event = await edge.events.wait_for(station_id, lambda e: e.type == "client_certificate_rejected")
    assert "not valid at validation time" in event.tech_info
    assert event.remote_address == "198.51.100.1" and event.details["via_proxy"] == "true"


def refusals(reason: str) -> float:
    return REGISTRY.get_sample_value("csms_edge_handshake_refusals_total", {"reason": reason}) or 0.0


async def test_brute_force_is_locked_out_with_429_and_an_event(edge: Node) -> None:
    station_id = edge.register(1)
    source = "127.0.0.3"
    wrong, locked = refusals("wrong_password"), refusals("locked_out")
    statuses = [await edge.refused(station_id, tls=False, password=f"guess-{i:012d}", source=source) for i in range(5)]
    assert statuses == [401, 401, 401, 401, 429]
    event = await edge.events.wait_for(station_id, lambda e: e.type == "handshake_locked_out")
    assert event.details["lockout_s"] == "1" and event.remote_address == source
    assert (refusals("wrong_password") - wrong, refusals("locked_out") - locked) == (4, 1)
    # locked out: not even the right password is looked at, from that address...
    assert await edge.refused(station_id, tls=False, source=source) == 429
    # ... while the genuine station elsewhere is not kept out
    async with edge.connect(station_id, tls=False, source="127.0.0.1"):
        pass


async def test_connections_per_address_are_limited_with_503(edge: Node) -> None:
    station_ids = [edge.register(1) for _ in range(4)]
    source = "127.0.0.4"
    open_ = [await accepted(edge.connect(station_id, tls=False, source=source)) for station_id in station_ids[:3]]
    try:
        assert await edge.refused(station_ids[3], tls=False, source=source) == 503
        event = await edge.events.wait_for(station_ids[3], lambda e: e.type == "connection_limit_reached")
        assert event.details["status"] == "503"
    finally:
        for ws in open_:
            await ws.close()


async def test_no_server_version_is_disclosed(edge: Node) -> None:
    station_id = edge.register(1)
    async with edge.connect(station_id, tls=False) as ws:
        assert ws.response is not None and "Server" not in ws.response.headers


async def test_replaced_certificate_files_serve_new_connections_without_a_restart(
    infra: Any, dev_pki: DevPki, tmp_path: Path
) -> None:
    files = tmp_path / "edge"
    files.mkdir()
    for source in (dev_pki.server_chain, dev_pki.server.key, dev_pki.station_ca.certificate):
        shutil.copy(source, files / source.name)
    settings = edge_settings(
        infra.kafka_bootstrap,
        tls_port=0,
        tls_cert_file=str(files / "server-chain.pem"),
        tls_key_file=str(files / "server.key"),
        station_ca_file=str(files / "station-ca.pem"),
        tls_reload_interval_s=0.1,
    )
    registry = FakeRegistry()
    node = EdgeNode(settings, registry=registry)
    await node.start()
    try:
        url = f"wss://127.0.0.1:{node.tls_port}/ocpp/"
        for station_id in ("CS-OLD", "CS-NEW"):
            registry.credentials[station_id], registry.profiles[station_id] = PASSWORD, 3
        options: dict[str, Any] = {"subprotocols": [Subprotocol("ocpp2.0.1")], "open_timeout": 10}
        old = issue_station_certificate(dev_pki, "CS-OLD")
        async with websockets.connect(url + "CS-OLD", ssl=station_tls_context(dev_pki, old), **options) as before:
            renewed = ensure_dev_pki(tmp_path / "renewed")
            for source in (renewed.server_chain, renewed.server.key, renewed.station_ca.certificate):
                shutil.copy(source, files / source.name)
            new = issue_station_certificate(renewed, "CS-NEW")
            await eventually(lambda: reloads(node), lambda count: count == 1, timeout_s=10, what="TLS reloaded")
            async with websockets.connect(url + "CS-NEW", ssl=station_tls_context(renewed, new), **options):
                pass
            with pytest.raises(ssl.SSLError):  # the old root CA does not verify the new server certificate
                async with websockets.connect(url + "CS-OLD", ssl=station_tls_context(dev_pki, old), **options):
                    pass
            await before.ping()  # the connection made before the reload is untouched
        (files / "server.key").write_text("not a key")
        await asyncio.sleep(0.5)
        assert await reloads(node) == 1
        async with websockets.connect(url + "CS-NEW", ssl=station_tls_context(renewed, new), **options):
            pass
    finally:
        await node.stop()
        await delete_delivery_topic(infra.kafka_bootstrap, settings.node_id)


async def reloads(node: EdgeNode) -> int:
    assert node.tls is not None
    return node.tls.reloads
