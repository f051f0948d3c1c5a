"""device-model settings (`CSMS_DEVICE_MODEL_*` plus the common `CSMS_*` ones)."""

from __future__ import annotations

from pydantic_settings import SettingsConfigDict

from csms_kernel.infra.settings import CommonSettings


class DeviceModelSettings(CommonSettings):
    model_config = SettingsConfigDict(env_prefix="CSMS_", extra="ignore")

    device_model_grpc_listen: str = "127.0.0.1:50051"
    device_model_instance_id: str = "device-model-1"
    # Interval a station is told to send heartbeats at (BootNotification.interval).
    heartbeat_interval_s: int = 300
    # Timeout of a CSMS-initiated call when the caller sets none.
    default_call_timeout_s: float = 30.0
    # A station's last-seen time is written at most this often (seconds).
    last_seen_resolution_s: float = 30.0
