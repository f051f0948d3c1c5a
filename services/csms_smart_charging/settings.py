"""smart-charging settings: its own `CSMS_SMART_CHARGING_*` plus the common `CSMS_*` ones; reads the environment."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from csms_kernel.infra.settings import PEER_ADDRESSES, CommonSettings, Identities, grpc_clients, peer_address


class SmartChargingSettings(CommonSettings):
    model_config = SettingsConfigDict(env_prefix="CSMS_SMART_CHARGING_", extra="ignore", populate_by_name=True)

    grpc_listen: str = Field(
        default=PEER_ADDRESSES["smart_charging"],
        description="Where SmartChargingService listens; port 0 picks a free port.",
    )
    grpc_clients: Identities = grpc_clients("api", "cli")
    instance_id: str = Field(
        default="smart-charging-1",
        description="Unique per instance: names its Kafka clients and transactional producer.",
    )
    command_expiry_s: float = Field(
        default=3600.0,
        gt=0,
        description="A profile command queued for an offline station (queue_if_offline) without an expiry of its "
        "own is kept this long (seconds).",
    )
    device_model_timeout_s: float = Field(
        default=10.0, gt=0, description="Deadline of one SendCommand call to device-model (seconds)."
    )
    reinstall_on_boot: bool = Field(
        default=True,
        description="After a station boots, send it again every ChargingStationMaxProfile and TxDefaultProfile the "
        "CSMS set and the station accepted (a station that lost them after a reset gets them back).",
    )
    device_model_address: str = peer_address("device_model")
