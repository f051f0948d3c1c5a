"""What every transactions OCPP handler receives: the call, the write model, the authorizer, and where events go."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from csms.transactions.v1 import transactions_pb2
from csms_kernel.handling.router import CallInfo, Emitted
from csms_kernel.infra.envelopes import timestamp, version_to_proto
from csms_transactions.ports import Authorizer, StateStore


@dataclass(frozen=True)
class TransactionsContext:
    call: CallInfo
    emitted: Emitted
    state: StateStore
    authorizer: Authorizer
    # Answer ConcurrentTx for an accepted token that already has another active transaction.
    concurrent_tx: bool

    @property
    def now(self) -> datetime:
        """The CSMS time of the call: when the edge received it, so a redelivered frame gets the same answer."""
        return self.call.received_at

    @property
    def station_id(self) -> str:
        return self.call.station_id

    def emit(self, event: transactions_pb2.TransactionEvent) -> None:
        event.station_id = self.call.station_id
        event.message_id = self.call.message_id
        event.ocpp_version = version_to_proto(self.call.ocpp_version)
        event.received_at.CopyFrom(timestamp(self.now))
        self.emitted.emit(event)
