"""Presence: which edge node and connection currently hold a station (pure decisions, no I/O).

A station that reconnects elsewhere replaces its old connection: the old node is told to close it. A
DISCONNECTED event of a connection that was already replaced changes nothing.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from csms.envelope.v1 import envelope_pb2
from csms_kernel.infra.envelopes import to_datetime, version_from_proto

CONNECTION_KINDS = (envelope_pb2.KIND_CONNECTED, envelope_pb2.KIND_DISCONNECTED)


@dataclass(frozen=True)
class Presence:
    connected: bool
    edge_node_id: str
    connection_id: str
    edge_address: str
    ocpp_version: str


@dataclass(frozen=True)
class CloseOldConnection:
    edge_node_id: str
    connection_id: str


@dataclass(frozen=True)
class PresenceChange:
    new: Presence
    at: datetime
    close: CloseOldConnection | None


def decide(current: Presence | None, event: envelope_pb2.Envelope, at: datetime) -> PresenceChange | None:
    """The new presence for a CONNECTED/DISCONNECTED event, or None when the event changes nothing."""
    if event.kind == envelope_pb2.KIND_CONNECTED:
        if current is not None and current.connected and current.connection_id == event.connection_id:
            return None
        close = None
        if current is not None and current.connected and current.edge_node_id != event.edge_node_id:
            close = CloseOldConnection(current.edge_node_id, current.connection_id)
        version = version_from_proto(event.ocpp_version).subprotocol
        new = Presence(True, event.edge_node_id, event.connection_id, event.edge_address, version)
        return PresenceChange(new, at, close)
    if event.kind == envelope_pb2.KIND_DISCONNECTED:
        if current is None or not current.connected or current.connection_id != event.connection_id:
            return None
        return PresenceChange(
            Presence(False, current.edge_node_id, current.connection_id, current.edge_address, current.ocpp_version),
            at,
            None,
        )
    return None


def changes(
    current: Mapping[str, Presence | None], events: Sequence[envelope_pb2.Envelope]
) -> list[tuple[str, PresenceChange]]:
    """The presence changes of the connection events, in order, each decided on the presence the earlier ones
    left (starting from `current`; a station missing there has none); other events change nothing."""
    presences = dict(current)
    found = []
    for event in events:
        if event.kind not in CONNECTION_KINDS:
            continue
        change = decide(presences.get(event.station_id), event, to_datetime(event.received_at))
        if change is not None:
            presences[event.station_id] = change.new
            found.append((event.station_id, change))
    return found
