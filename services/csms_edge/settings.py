"""Edge node settings: the shared `CSMS_*` ones plus edge-specific `CSMS_EDGE_*` environment variables."""

from __future__ import annotations

from typing import Any

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from csms_kernel.infra.settings import CommonSettings


def _edge(default: Any, name: str) -> Any:
    """A field read from `CSMS_EDGE_<NAME>` (and settable by its field name in code)."""
    return Field(default, validation_alias=f"CSMS_EDGE_{name.upper()}")


class EdgeSettings(CommonSettings):
    model_config = SettingsConfigDict(env_prefix="CSMS_", extra="ignore", populate_by_name=True)

    node_id: str = _edge("edge-1", "node_id")
    host: str = _edge("0.0.0.0", "host")
    port: int = _edge(9000, "port")
    # Where EdgeService listens; port 0 picks a free port, and the bound one is advertised.
    grpc_listen: str = _edge("127.0.0.1:0", "grpc_listen")
    # Address other services use to reach EdgeService (recorded in CONNECTED events). Empty: derived from
    # grpc_listen and the bound port; a host without a port gets the bound port.
    grpc_advertise: str = _edge("", "grpc_advertise")

    max_frame_bytes: int = _edge(64 * 1024, "max_frame_bytes")
    ping_interval_s: float = _edge(20.0, "ping_interval_s")
    ping_timeout_s: float = _edge(20.0, "ping_timeout_s")
    open_timeout_s: float = _edge(10.0, "open_timeout_s")
    close_timeout_s: float = _edge(5.0, "close_timeout_s")
    # Sending one frame to a station (socket buffer full) longer than this closes the connection.
    send_timeout_s: float = _edge(10.0, "send_timeout_s")

    accept_unknown_stations: bool = _edge(False, "accept_unknown_stations")
    registry_timeout_s: float = _edge(2.0, "registry_timeout_s")
    registry_accepted_ttl_s: float = _edge(60.0, "registry_accepted_ttl_s")
    registry_refused_ttl_s: float = _edge(5.0, "registry_refused_ttl_s")
    registry_cache_size: int = _edge(100_000, "registry_cache_size")

    outbound_queue_size: int = _edge(16, "outbound_queue_size")
    call_timeout_s: float = _edge(30.0, "call_timeout_s")

    # Partitions and retention of the delivery topic come from deploy/topology.toml.
    delivery_replication_factor: int = _edge(1, "delivery_replication_factor")
    drain_timeout_s: float = _edge(10.0, "drain_timeout_s")
