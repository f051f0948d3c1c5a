"""Presence decisions: connect, reconnect elsewhere (old node told to close), stale disconnects ignored."""

from __future__ import annotations

from datetime import UTC, datetime

from csms.envelope.v1 import envelope_pb2
from csms_device_model.domain.presence import CloseOldConnection, Presence, PresenceChange, decide

AT = datetime(2026, 1, 1, tzinfo=UTC)
ON_A = Presence(True, "edge-1", "c1", "10.0.0.1:50060", "ocpp2.0.1")


def event(kind: int, node: str, connection: str) -> envelope_pb2.Envelope:
    return envelope_pb2.Envelope(
        station_id="CS-1",
        kind=kind,  # type: ignore[arg-type]
        edge_node_id=node,
        connection_id=connection,
        edge_address="10.0.0.2:50060",
        ocpp_version=envelope_pb2.OCPP_VERSION_201,
    )


def test_first_connection() -> None:
    change = decide(None, event(envelope_pb2.KIND_CONNECTED, "edge-2", "c2"), AT)
    assert change == PresenceChange(Presence(True, "edge-2", "c2", "10.0.0.2:50060", "ocpp2.0.1"), AT, None)


def test_reconnect_on_another_node_closes_the_old_connection() -> None:
    change = decide(ON_A, event(envelope_pb2.KIND_CONNECTED, "edge-2", "c2"), AT)
    assert change is not None and change.close == CloseOldConnection("edge-1", "c1")
    assert change.new.connection_id == "c2"


def test_reconnect_on_the_same_node_needs_no_close_command() -> None:
    change = decide(ON_A, event(envelope_pb2.KIND_CONNECTED, "edge-1", "c3"), AT)
    assert change is not None and change.close is None and change.new.connection_id == "c3"


def test_redelivered_connect_changes_nothing() -> None:
    assert decide(ON_A, event(envelope_pb2.KIND_CONNECTED, "edge-1", "c1"), AT) is None


def test_disconnect_of_the_current_connection() -> None:
    change = decide(ON_A, event(envelope_pb2.KIND_DISCONNECTED, "edge-1", "c1"), AT)
    assert change is not None and not change.new.connected and change.new.edge_node_id == "edge-1"


def test_disconnect_of_a_replaced_connection_is_ignored() -> None:
    assert decide(ON_A, event(envelope_pb2.KIND_DISCONNECTED, "edge-0", "c0"), AT) is None
    assert decide(None, event(envelope_pb2.KIND_DISCONNECTED, "edge-0", "c0"), AT) is None
