"""firmware settings: its own `CSMS_FIRMWARE_*` plus the common `CSMS_*` ones; reads the environment."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from csms_kernel.infra.settings import (
    PEER_ADDRESSES,
    CommonSettings,
    Identities,
    device_model_timeout,
    grpc_clients,
    peer_address,
)


class FirmwareSettings(CommonSettings):
    model_config = SettingsConfigDict(env_prefix="CSMS_FIRMWARE_", extra="ignore", populate_by_name=True)

    grpc_listen: str = Field(
        default=PEER_ADDRESSES["firmware"], description="Where FirmwareService listens; port 0 picks a free port."
    )
    grpc_clients: Identities = grpc_clients("api", "cli")
    instance_id: str = Field(
        default="firmware-1", description="Unique per instance: names its Kafka clients and transactional producer."
    )
    command_expiry_s: float = Field(
        default=86400.0,
        gt=0,
        description="A firmware or log command queued for an offline station (queue_if_offline) without an "
        "expiry of its own is kept this long (seconds).",
    )
    device_model_timeout_s: float = device_model_timeout()
    device_model_address: str = peer_address("device_model")
    campaign_tick_s: float = Field(
        default=2.0, gt=0, description="How often the campaign driver looks at the campaigns it drives (seconds)."
    )
    campaign_lease_ttl_s: int = Field(
        default=15,
        ge=3,
        description="A campaign's driver lease lasts this long unless renewed: after a crash another instance "
        "takes the campaign over this much later (seconds).",
    )
