"""Settings of the `csms` command: the common `CSMS_*` ones plus the address of every service it calls."""

from __future__ import annotations

from csms_kernel.infra.settings import CommonSettings, peer_address


class CliSettings(CommonSettings):
    device_model_address: str = peer_address("device_model")
    authorization_address: str = peer_address("authorization")
    transactions_address: str = peer_address("transactions")
    security_address: str = peer_address("security")
