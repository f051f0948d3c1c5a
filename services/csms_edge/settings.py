"""Edge node settings: its own `CSMS_EDGE_*` plus the common `CSMS_*` ones; reads the environment."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, field_validator
from pydantic_settings import NoDecode, SettingsConfigDict

from csms_edge.domain import edge_answers
from csms_kernel.infra.settings import CommonSettings, Identities, grpc_clients, peer_address


class EdgeSettings(CommonSettings):
    model_config = SettingsConfigDict(env_prefix="CSMS_EDGE_", extra="ignore", populate_by_name=True)

    node_id: str = Field(default="edge-1", description="Unique per node: names its delivery topic and Kafka clients.")
    host: str = Field(default="0.0.0.0", description="Interface of the station WebSocket endpoint.")
    port: int = Field(
        default=9000, description="Port of the station WebSocket endpoint (ws://host:port/ocpp/{stationId})."
    )
    plain_enabled: bool = Field(
        default=True,
        description="Serve plain ws:// on `port` (security profile 1). False: only wss:// (`tls_port`) is served.",
    )
    tls_port: int | None = Field(
        default=None,
        description="Port of the wss:// endpoint (security profiles 2 and 3) on `host`; unset: no wss://. Needs "
        "`tls_cert_file` and `tls_key_file`; 0 picks a free port.",
    )
    tls_cert_file: str = Field(
        default="", description="PEM server certificate chain of wss:// (leaf first); reloaded when it changes."
    )
    tls_key_file: str = Field(default="", description="PEM private key of `tls_cert_file`; reloaded with it.")
    station_ca_file: str = Field(
        default="",
        description="PEM station CA certificate(s): the only CAs a security profile 3 client certificate may chain "
        "to (also for certificates forwarded by a trusted proxy). Empty: no client certificate is requested, so no "
        "station reaches profile 3. Reloaded when it changes.",
    )
    tls_reload_interval_s: float = Field(
        default=5.0,
        description="How often the TLS files' modification times are checked; a changed, valid set is used for new "
        "connections, an invalid one is logged and the previous one kept.",
    )
    tls_handshake_timeout_s: float = Field(
        default=10.0, description="Deadline of the TLS handshake of a wss:// connection (seconds)."
    )
    trusted_proxies: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        description="Comma-separated addresses/CIDRs of TLS-terminating proxies whose `X-Forwarded-For`, "
        "`X-Forwarded-Proto` and client certificate header are believed; from any other peer those headers are "
        "ignored (and logged).",
    )
    proxy_client_cert_header: str = Field(
        default="X-Forwarded-Client-Cert",
        description="Header in which a trusted proxy passes the client certificate: URL-encoded PEM (nginx "
        '`$ssl_client_escaped_cert`) or Envoy\'s XFCC (`Cert="..."`). The edge re-verifies it against '
        "`station_ca_file`.",
    )
    max_connections: int = Field(
        default=50_000, description="Most station connections (open or in their handshake) one node holds; 503 above."
    )
    max_connections_per_address: int = Field(
        default=1_000,
        description="Most station connections (open or in their handshake) from one source address; 503 above.",
    )
    lockout_free_failures: int = Field(
        default=3,
        description="Failed handshakes of one station id from one address before it is locked out (429); each "
        "further failure doubles the lockout, from `lockout_base_s` up to `lockout_max_s`.",
    )
    lockout_base_s: float = Field(default=1.0, description="First lockout of a (station id, address) (seconds).")
    lockout_max_s: float = Field(default=60.0, description="Longest lockout of a (station id, address) (seconds).")
    address_free_failures: int = Field(
        default=20, description="Failed handshakes from one address (any station id) before the address is locked out."
    )
    address_lockout_max_s: float = Field(
        default=60.0, description="Longest lockout of a source address (seconds; doubles from `lockout_base_s`)."
    )
    station_free_failures: int = Field(
        default=50,
        description="Failed handshakes of one station id from all addresses before the id itself is locked out "
        "(briefly: a genuine station must not be kept out long by others' failures).",
    )
    station_lockout_s: float = Field(
        default=5.0, description="Lockout of a station id after `station_free_failures` failures (seconds)."
    )
    lockout_window_s: float = Field(
        default=600.0, description="Failures older than this are forgotten (seconds); a success forgets them too."
    )
    lockout_max_tracked: int = Field(
        default=100_000, description="Most (station id, address), address and station id failure records kept."
    )
    security_events_max_outstanding: int = Field(
        default=1_000,
        description="Security events handed to Kafka but not acknowledged yet above which new ones are only logged.",
    )
    grpc_listen: str = Field(default="127.0.0.1:0", description="Where EdgeService listens; port 0 picks a free port.")
    grpc_clients: Identities = grpc_clients("device-model")
    grpc_advertise: str = Field(
        default="",
        description="Address other services use to reach EdgeService (recorded in CONNECTED events). Empty: "
        "derived from grpc_listen and the bound port; a host without a port gets the bound port.",
    )
    server_header: str = Field(
        default="", description="Value of the HTTP `Server:` header of handshake responses; empty: none is sent."
    )
    max_frame_bytes: int = Field(
        default=1024 * 1024,
        ge=1024,
        le=3 * 1024 * 1024,
        description="Largest WebSocket message a station may send (bytes; a larger one closes the connection with "
        "1009, and a station that resends it on every reconnect never gets through). 1 MiB holds a large "
        "NotifyReport, certificate chain or DataTransfer; at most 3 MiB, so that the frame fits in a Kafka record "
        "(topology.toml: 4 MiB).",
    )
    station_frames_per_s: float = Field(
        default=100.0,
        ge=0,
        description="Frames per second a station connection may send on average (0: no limit). Over its budget "
        "the connection is not read until it is back within it (TCP back-pressure; nothing is dropped or answered "
        "with an error, and no other station waits).",
    )
    station_frame_burst: int = Field(default=200, ge=1, description="Frames a station may send at once above its rate.")
    station_bytes_per_s: int = Field(
        default=1024 * 1024,
        ge=0,
        description="Bytes per second a station connection may send on average (0: no limit); enforced like the "
        "frame rate.",
    )
    station_byte_burst: int = Field(
        default=4 * 1024 * 1024, ge=1, description="Bytes a station may send at once above its byte rate."
    )
    ping_interval_s: float = Field(default=20.0, description="WebSocket ping interval (seconds).")
    ping_timeout_s: float = Field(
        default=20.0, description="A station not answering a ping within this is disconnected."
    )
    open_timeout_s: float = Field(default=10.0, description="Deadline of the WebSocket opening handshake (seconds).")
    close_timeout_s: float = Field(default=5.0, description="Deadline of the WebSocket closing handshake (seconds).")
    send_timeout_s: float = Field(
        default=10.0,
        description="Sending one frame to a station longer than this (socket buffer full) closes the connection; "
        "each station's frames are sent by a task of its own, so a station that stops reading delays only itself.",
    )
    send_queue_size: int = Field(
        default=64,
        ge=1,
        description="Replies waiting to be sent to one station; one more closes its connection (it is not reading).",
    )
    accept_unknown_stations: bool = Field(
        default=False, description="Accept stations the registry does not know (development only)."
    )
    registry_timeout_s: float = Field(
        default=2.0,
        description="Deadline of one station registry lookup, and of one look-up of a station's last boot status "
        "(seconds).",
    )
    registry_accepted_ttl_s: float = Field(default=60.0, description="How long an accepted registry verdict is cached.")
    registry_refused_ttl_s: float = Field(default=5.0, description="How long a refused registry verdict is cached.")
    registry_cache_size: int = Field(default=100_000, description="Most registry verdicts cached.")
    outbound_queue_size: int = Field(default=16, description="CSMS-initiated calls queued per station connection.")
    call_timeout_s: float = Field(
        default=30.0, description="Timeout of a CSMS-initiated call when the caller sets none."
    )
    max_call_timeout_s: float = Field(
        default=300.0,
        gt=0,
        description="Largest timeout a caller may give a CSMS-initiated call (seconds): the call holds the "
        "station's one outbound slot that long. A larger `timeout_ms` is refused with INVALID_ARGUMENT.",
    )
    delivery_replication_factor: int = Field(
        default=1,
        description="Replication factor of the node's delivery topic when it is created (partitions and retention "
        "come from topology.toml).",
    )
    answered_at_edge: Annotated[list[str], NoDecode] = Field(
        default=["Heartbeat"],
        description="Station CALLs the edge answers itself once the CALL is durable in the frame log, instead of "
        "handing them to their owner (comma-separated; only actions whose answer is a pure function of the frame: "
        "Heartbeat; empty: every CALL goes to its owner). docs/adr/0046.",
    )
    drain_timeout_s: float = Field(
        default=10.0, description="On SIGTERM, how long the delivery consumer may take to finish the batch in hand."
    )
    authorization_address: str = peer_address("authorization")
    device_model_address: str = peer_address("device_model")

    @field_validator("trusted_proxies", "answered_at_edge", mode="before")
    @classmethod
    def _split(cls, value: object) -> object:
        if isinstance(value, str):
            return [part.strip() for part in value.split(",") if part.strip()]
        return value

    @field_validator("answered_at_edge")
    @classmethod
    def _answerable(cls, value: list[str]) -> list[str]:
        unknown = sorted(set(value) - edge_answers.ANSWERABLE)
        if unknown:
            raise ValueError(f"the edge cannot answer {unknown}: only {sorted(edge_answers.ANSWERABLE)}")
        return value

    def development_secrets(self) -> list[str]:
        unknown = ["CSMS_EDGE_ACCEPT_UNKNOWN_STATIONS is true"] if self.accept_unknown_stations else []
        return [*super().development_secrets(), *unknown]
