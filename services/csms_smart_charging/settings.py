"""smart-charging settings: its own `CSMS_SMART_CHARGING_*` plus the common `CSMS_*` ones; reads the environment."""

from __future__ import annotations

from typing import Self

from pydantic import Field, model_validator
from pydantic_settings import SettingsConfigDict

from csms_kernel.infra.settings import (
    PEER_ADDRESSES,
    CommonSettings,
    Identities,
    device_model_timeout,
    grpc_clients,
    peer_address,
)


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
    device_model_timeout_s: float = device_model_timeout()
    reinstall_on_boot: bool = Field(
        default=True,
        description="After a station boots, send it again every ChargingStationMaxProfile and TxDefaultProfile the "
        "CSMS set and the station accepted (a station that lost them after a reset gets them back).",
    )
    answer_ev_needs: bool = Field(
        default=True,
        description="Answer a 2.x NotifyEVChargingNeeds with a TxProfile for the EVSE's transaction (the EV's "
        "maximum within the station's ChargingStationMaxProfile; docs/adr/0041).",
    )
    transactions_timeout_s: float = Field(
        default=5.0, gt=0, description="Deadline of one ListTransactions call to the transactions service (seconds)."
    )
    load_management: bool = Field(
        default=True,
        description="Run load management (docs/adr/0042): the observer of transaction events and connector "
        "statuses (group smart_charging.load.observer) and the per-site recompute loop (group smart_charging.load).",
    )
    load_stack_level: int = Field(
        default=1,
        ge=0,
        description="Stack level of load management's TxProfiles and TxDefaultProfiles (above the EV-needs "
        "TxProfile at 0).",
    )
    load_min_raise_a: float = Field(
        default=1.0, ge=0, description="A raise smaller than this (A) waits for a later recompute; lowers never wait."
    )
    load_headroom_a: float = Field(
        default=2.0,
        ge=0,
        description="A car drawing less than its grant minus this (A) is capped at its draw plus this; the rest "
        "goes to the others.",
    )
    load_answer_timeout_s: float = Field(
        default=10.0,
        gt=0,
        description="How long a TxProfile push waits for the station's answer (seconds); no answer counts as "
        "not installed (the raises of that recompute wait).",
    )
    load_retry_initial_s: float = Field(
        default=2.0,
        gt=0,
        description="A site whose recompute ended incomplete (a TxProfile refused or unanswered) is recomputed "
        "again after about this long (seconds), doubling up to load_retry_max_s until one ends complete.",
    )
    load_retry_max_s: float = Field(
        default=60.0, gt=0, description="The longest wait between two retries of a site's recompute (seconds)."
    )
    load_site_concurrency: int = Field(
        default=64,
        ge=1,
        description="How many sites of one batch of the site loop are recomputed at the same time (each site's "
        "events stay in order).",
    )
    device_model_address: str = peer_address("device_model")
    transactions_address: str = peer_address("transactions")

    @model_validator(mode="after")
    def _retry_bounds(self) -> Self:
        if self.load_retry_max_s < self.load_retry_initial_s:
            raise ValueError("load_retry_max_s must be >= load_retry_initial_s")
        return self
