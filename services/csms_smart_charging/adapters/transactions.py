"""The `ActiveTransactions` port over the transactions service's gRPC API (`ListTransactions`, active only): the
station's transaction on an EVSE, by the id the station knows it by (2.x transactionId, 1.6 the CSMS's integer
id). The service unreachable is RetryableError. Network I/O only."""

from __future__ import annotations

import grpc

from csms.transactions.v1 import transactions_pb2, transactions_pb2_grpc
from csms_kernel.clients.channels import channel
from csms_kernel.infra.grpc_tls import GrpcTls
from csms_kernel.ocpp.errors import RetryableError


class GrpcActiveTransactions:
    def __init__(self, address: str, timeout_s: float, tls: GrpcTls | None) -> None:
        self._channel = channel(address, tls)
        self._stub = transactions_pb2_grpc.TransactionsServiceStub(self._channel)
        self._timeout_s = timeout_s

    async def active_transaction(self, station_id: str, evse_id: int) -> str | None:
        request = transactions_pb2.ListTransactionsRequest(station_id=station_id, active_only=True, page_size=50)
        try:
            found = await self._stub.ListTransactions(request, timeout=self._timeout_s)
        except grpc.aio.AioRpcError as exc:
            raise RetryableError(f"transactions: {exc.code().name} {exc.details()}") from exc
        for transaction in found.transactions:
            if transaction.evse_id == evse_id:
                return transaction.station_transaction_id or str(transaction.csms_transaction_id)
        return None

    async def close(self) -> None:
        await self._channel.close(None)
