"""The transactions projector: keeps the transaction read models up to date from the domain events.

Side effects: reads `csms.transactions.events.v1` (read_committed) in the group
`transactions.projector.transactions` and writes Cassandra. Rebuild: truncate the read-model tables and
replay the topic from the beginning (a fresh group, or this one reset to earliest).
"""

from __future__ import annotations

from collections.abc import Sequence

from aiokafka import ConsumerRecord
from google.protobuf.message import DecodeError

from csms.transactions.v1 import transactions_pb2
from csms_kernel.infra import topics
from csms_transactions.adapters.repository import TransactionsRepository
from csms_transactions.projections import transactions

GROUP_ID = "transactions.projector.transactions"
TOPICS = (topics.TRANSACTIONS_EVENTS,)
# The read-model tables the projector owns (a rebuild truncates exactly these).
TABLES = (
    "transactions",
    "transactions_by_id",
    "transactions_by_station",
    "transactions_by_token",
    "transactions_by_day",
    "transaction_days",
    "active_transactions",
    "meter_samples",
    "connector_meter_samples",
)


class UndecodableEventError(ValueError):
    pass


class TransactionsProjector:
    def __init__(self, repository: TransactionsRepository) -> None:
        self._repository = repository

    async def apply(self, records: Sequence[ConsumerRecord[bytes, bytes]]) -> None:
        writes: list[transactions.Write] = []
        for record in records:
            event = transactions_pb2.TransactionEvent()
            try:
                event.ParseFromString(record.value or b"")
            except DecodeError as exc:
                raise UndecodableEventError(f"undecodable TransactionEvent at offset {record.offset}") from exc
            writes += transactions.from_event(event)
        await self._repository.apply(writes)
