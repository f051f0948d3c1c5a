"""device-model settings: its own `CSMS_DEVICE_MODEL_*` plus the common `CSMS_*` ones; reads the environment."""

from __future__ import annotations

from typing import Literal

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from csms_kernel.infra.settings import PEER_ADDRESSES, CommonSettings, Identities, grpc_clients, peer_address


class DeviceModelSettings(CommonSettings):
    model_config = SettingsConfigDict(env_prefix="CSMS_DEVICE_MODEL_", extra="ignore", populate_by_name=True)

    grpc_listen: str = Field(
        default=PEER_ADDRESSES["device_model"],
        description="Where DeviceModelService listens; port 0 picks a free port.",
    )
    grpc_clients: Identities = grpc_clients(
        "authorization", "transactions", "security", "firmware", "smart-charging", "api", "cli"
    )
    instance_id: str = Field(
        default="device-model-1", description="Unique per instance: names its Kafka clients and transactional producer."
    )
    heartbeat_interval_s: int = Field(
        default=300, description="Interval a station is told to send heartbeats at (BootNotification interval)."
    )
    new_station_boot_policy: Literal["Accepted", "Pending"] = Field(
        default="Accepted",
        description="How the BootNotification of a station without a boot policy of its own is answered: Accepted, "
        "or Pending until an operator accepts it (`csms provisioning accept`; docs/adr/0031).",
    )
    boot_retry_interval_s: int = Field(
        default=60,
        ge=0,
        description="The interval of a Pending or Rejected BootNotification answer: the minimum wait before the "
        "station's next BootNotification (0: the station chooses).",
    )
    default_call_timeout_s: float = Field(
        default=30.0, description="Timeout of a CSMS-initiated call when the caller sets none."
    )
    last_seen_resolution_s: float = Field(
        default=30.0, description="A station's last-seen time is written at most this often (seconds)."
    )
    command_outcome_grace_s: float = Field(
        default=15.0,
        description="How long after a sent operator command's timeout the instance sending it may still record "
        "the station's answer; after that the command is reported failed, outcome unknown (docs/adr/0020).",
    )
    command_sweep_interval_s: float = Field(
        default=5.0,
        description="How often the command sweep expires queued commands, fails commands whose outcome is "
        "unknown and resumes deliveries to connected stations (one instance sweeps, by lease).",
    )
    command_events_poll_s: float = Field(
        default=1.0,
        description="How often the command event relay looks for command events stored by other instances.",
    )
    command_lease_s: int = Field(
        default=15,
        description="The leases that let one instance relay the command events and one sweep the commands "
        "(renewed every third of it; another instance takes over when one expires).",
    )
    command_deliveries: int = Field(
        default=16,
        description="How many stations one instance delivers queued operator commands to at a time (each "
        "station's queue one command at a time).",
    )
    authorization_address: str = peer_address("authorization")
    authorization_timeout_s: float = Field(
        default=5.0,
        description="Deadline of one call to the station registry (authorization service) by set-password and "
        "set-security-profile, which register the pending password or profile before the station is told.",
    )
