"""The TransactionsService gRPC servicer: transaction queries and remote start/stop/status (no logic of its own)."""

from __future__ import annotations

import json
from collections.abc import Awaitable
from typing import Any, TypeVar

import grpc

from csms.edge.v1 import edge_pb2
from csms.transactions.v1 import transactions_pb2, transactions_pb2_grpc
from csms_kernel.infra.envelopes import to_datetime
from csms_transactions.app.remote_commands import CommandError, RemoteCommands, StationAnswer
from csms_transactions.domain.tokens import Token
from csms_transactions.ports import TransactionQuery, TransactionsRepository

MAX_PAGE_SIZE = 1000
T = TypeVar("T")
Context = grpc.aio.ServicerContext[Any, Any]


class TransactionsServicer(transactions_pb2_grpc.TransactionsServiceServicer):
    def __init__(self, repository: TransactionsRepository, commands: RemoteCommands) -> None:
        self._repository = repository
        self._commands = commands

    async def GetTransaction(
        self, request: transactions_pb2.GetTransactionRequest, context: Context
    ) -> transactions_pb2.GetTransactionResponse:
        station_id = request.station_id
        if not station_id:
            stations = await self._repository.stations_with(request.transaction_id)
            if len(stations) > 1:
                await context.abort(
                    grpc.StatusCode.FAILED_PRECONDITION,
                    f"transaction {request.transaction_id} exists at several stations ({', '.join(stations)});"
                    " give the station",
                )
            station_id = stations[0] if stations else ""
        transaction = await self._repository.transaction(station_id, request.transaction_id) if station_id else None
        if transaction is None:
            await context.abort(grpc.StatusCode.NOT_FOUND, f"no transaction {request.transaction_id}")
        samples = await self._repository.samples(station_id, request.transaction_id)
        return transactions_pb2.GetTransactionResponse(transaction=transaction, samples=samples)

    async def ListTransactions(
        self, request: transactions_pb2.ListTransactionsRequest, context: Context
    ) -> transactions_pb2.ListTransactionsResponse:
        query = TransactionQuery(
            station_id=request.station_id,
            id_token=request.id_token,
            since=to_datetime(request.since) if request.HasField("since") else None,
            until=to_datetime(request.until) if request.HasField("until") else None,
            active_only=request.active_only,
        )
        if query.since is not None and query.until is not None and query.since >= query.until:
            await context.abort(grpc.StatusCode.INVALID_ARGUMENT, "since must be before until")
        page_size = min(request.page_size or 100, MAX_PAGE_SIZE)
        try:
            transactions, token = await self._repository.transactions(query, page_size, request.page_token)
        except ValueError:
            await context.abort(grpc.StatusCode.INVALID_ARGUMENT, "invalid page_token")
        return transactions_pb2.ListTransactionsResponse(transactions=transactions, next_page_token=token)

    async def StartSession(
        self, request: transactions_pb2.StartSessionRequest, context: Context
    ) -> transactions_pb2.StartSessionResponse:
        token = Token(request.id_token.id_token, request.id_token.type)
        evse_id = request.evse_id if request.HasField("evse_id") else None
        started = self._commands.start(request.station_id, token, evse_id, request.timeout_ms / 1000)
        answer, remote_start_id = await _command(context, started)
        response = transactions_pb2.StartSessionResponse(status=answer.outcome or "", remote_start_id=remote_start_id)
        _outcome(response, answer)
        return response

    async def StopSession(
        self, request: transactions_pb2.StopSessionRequest, context: Context
    ) -> transactions_pb2.StopSessionResponse:
        stopped = self._commands.stop(request.station_id, request.transaction_id, request.timeout_ms / 1000)
        answer = await _command(context, stopped)
        response = transactions_pb2.StopSessionResponse(status=answer.outcome or "")
        _outcome(response, answer)
        return response

    async def GetTransactionStatus(
        self, request: transactions_pb2.GetTransactionStatusRequest, context: Context
    ) -> transactions_pb2.GetTransactionStatusResponse:
        try:
            answer = await self._commands.status(request.station_id, request.transaction_id, request.timeout_ms / 1000)
        except CommandError as exc:
            await context.abort(exc.code, exc.message)
        response = transactions_pb2.GetTransactionStatusResponse()
        _outcome(response, answer)
        if answer.outcome is not None:
            response.messages_in_queue = answer.outcome.messages_in_queue
            if answer.outcome.ongoing_indicator is not None:
                response.ongoing_indicator = answer.outcome.ongoing_indicator
        return response


Answered = (
    transactions_pb2.StartSessionResponse
    | transactions_pb2.StopSessionResponse
    | transactions_pb2.GetTransactionStatusResponse
)


async def _command(context: Context, command: Awaitable[T]) -> T:
    """The command's result; a CommandError aborts the RPC with its status."""
    try:
        return await command
    except CommandError as exc:
        await context.abort(exc.code, exc.message)


def _outcome(response: Answered, answer: StationAnswer[Any]) -> None:
    response.message_id = answer.message_id
    if answer.error is not None:
        error = answer.error
        response.error.CopyFrom(
            edge_pb2.CallError(code=error.code, description=error.description, details_json=error.details_json)
        )
    else:
        response.result_json = json.dumps(answer.payload)
