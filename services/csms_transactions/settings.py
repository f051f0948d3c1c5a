"""transactions settings (`CSMS_TRANSACTIONS_*` plus the common `CSMS_*` ones); reads the environment."""

from __future__ import annotations

from pydantic_settings import SettingsConfigDict

from csms_kernel.infra.settings import CommonSettings


class TransactionsSettings(CommonSettings):
    model_config = SettingsConfigDict(env_prefix="CSMS_", extra="ignore")

    # Where TransactionsService listens (clients use CSMS_TRANSACTIONS_ADDRESS); port 0 picks a free port.
    transactions_grpc_listen: str = "127.0.0.1:50053"
    transactions_instance_id: str = "transactions-1"
    # Answer ConcurrentTx when a token that is otherwise accepted already has an active transaction.
    transactions_concurrent_tx: bool = True
    # Timeout of a remote start/stop/status call when the caller sets none.
    transactions_default_call_timeout_s: float = 30.0
    # Deadline of one AuthorizeIdToken call to the authorization service.
    transactions_authorization_timeout_s: float = 5.0
