"""Edge settings (environment names) and the advertised gRPC address."""

from __future__ import annotations

import socket

import pytest

from csms_edge.bootstrap import advertised_address
from csms_edge.settings import EdgeSettings


def test_defaults() -> None:
    settings = EdgeSettings()
    assert (settings.node_id, settings.host, settings.port) == ("edge-1", "0.0.0.0", 9000)
    assert settings.max_frame_bytes == 1024 * 1024
    assert settings.accept_unknown_stations is False
    assert settings.outbound_queue_size == 16
    assert settings.call_timeout_s == 30.0


def test_environment_names(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CSMS_EDGE_NODE_ID", "edge-7")
    monkeypatch.setenv("CSMS_EDGE_PORT", "9100")
    monkeypatch.setenv("CSMS_EDGE_GRPC_LISTEN", "0.0.0.0:50070")
    monkeypatch.setenv("CSMS_EDGE_ACCEPT_UNKNOWN_STATIONS", "true")
    monkeypatch.setenv("CSMS_KAFKA_BOOTSTRAP", "kafka:9092")
    monkeypatch.setenv("NODE_ID", "not-this-one")
    settings = EdgeSettings()
    assert settings.node_id == "edge-7"
    assert settings.port == 9100
    assert settings.grpc_listen == "0.0.0.0:50070"
    assert settings.accept_unknown_stations is True
    assert settings.kafka_bootstrap == "kafka:9092"


def test_fields_settable_by_name() -> None:
    assert EdgeSettings(node_id="x", port=0).node_id == "x"


@pytest.mark.parametrize(
    ("listen", "advertise", "expected"),
    [
        ("127.0.0.1:0", "", "127.0.0.1:4242"),
        ("127.0.0.1:50070", "", "127.0.0.1:4242"),
        ("[::1]:0", "", "[::1]:4242"),
        ("0.0.0.0:0", "edge-1.edge.svc:50070", "edge-1.edge.svc:50070"),
        ("0.0.0.0:0", "10.0.0.7", "10.0.0.7:4242"),
        ("0.0.0.0:0", "10.0.0.7:0", "10.0.0.7:4242"),
        ("0.0.0.0:0", "[fd00::7]:50070", "[fd00::7]:50070"),
    ],
)
def test_advertised_address(listen: str, advertise: str, expected: str) -> None:
    assert advertised_address(listen, advertise, 4242) == expected


def test_all_interfaces_advertise_the_host_name() -> None:
    assert advertised_address("0.0.0.0:0", "", 4242) == f"{socket.gethostname()}:4242"


def test_the_actions_answered_at_the_edge(monkeypatch: pytest.MonkeyPatch) -> None:
    assert EdgeSettings().answered_at_edge == ["Heartbeat"]
    monkeypatch.setenv("CSMS_EDGE_ANSWERED_AT_EDGE", "")
    assert EdgeSettings().answered_at_edge == []
    monkeypatch.setenv("CSMS_EDGE_ANSWERED_AT_EDGE", "Heartbeat,StatusNotification")
    with pytest.raises(ValueError, match="cannot answer \\['StatusNotification'\\]"):
        EdgeSettings()
