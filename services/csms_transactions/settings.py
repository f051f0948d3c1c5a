"""transactions settings: its own `CSMS_TRANSACTIONS_*` plus the common `CSMS_*` ones; reads the environment."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from csms_kernel.infra.settings import PEER_ADDRESSES, CommonSettings, Identities, grpc_clients, peer_address


class TransactionsSettings(CommonSettings):
    model_config = SettingsConfigDict(env_prefix="CSMS_TRANSACTIONS_", extra="ignore", populate_by_name=True)

    grpc_listen: str = Field(
        default=PEER_ADDRESSES["transactions"],
        description="Where TransactionsService listens; port 0 picks a free port.",
    )
    grpc_clients: Identities = grpc_clients("smart-charging", "api", "cli")
    instance_id: str = Field(
        default="transactions-1", description="Unique per instance: names its Kafka clients and transactional producer."
    )
    concurrent_tx: bool = Field(
        default=True,
        description="Answer ConcurrentTx when a token that is otherwise accepted already has an active transaction.",
    )
    default_call_timeout_s: float = Field(
        default=30.0, description="Timeout of a remote start/stop/status call when the caller sets none (seconds)."
    )
    authorization_timeout_s: float = Field(
        default=5.0, description="Deadline of one AuthorizeIdToken call to the authorization service (seconds)."
    )
    authorization_address: str = peer_address("authorization")
    device_model_address: str = peer_address("device_model")
