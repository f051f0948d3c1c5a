"""Remote start/stop and transaction status on every OCPP version, sent with the kernel's `StationCalls`.

1.6 RemoteStartTransaction / RemoteStopTransaction; 2.x RequestStartTransaction (with a fresh remoteStartId) /
RequestStopTransaction and GetTransactionStatus: one module per action and version in `csms_transactions/ocpp`
builds the request and reads the answer. The station's version is its current connection's; the station's
real CALLRESULT or CALLERROR comes back. No I/O of its own: the station calls are injected.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

import grpc

from csms_kernel.clients.station_calls import CallErrorAnswer, StationCallError, StationCalls
from csms_kernel.ocpp.versions import OcppVersion
from csms_transactions.domain.tokens import Token
from csms_transactions.ocpp.remote import TransactionStatus
from csms_transactions.ocpp.v16 import remote_start_transaction as v16_remote_start_transaction
from csms_transactions.ocpp.v16 import remote_stop_transaction as v16_remote_stop_transaction
from csms_transactions.ocpp.v21 import get_transaction_status as v21_get_transaction_status
from csms_transactions.ocpp.v21 import request_start_transaction as v21_request_start_transaction
from csms_transactions.ocpp.v21 import request_stop_transaction as v21_request_stop_transaction
from csms_transactions.ocpp.v201 import get_transaction_status as v201_get_transaction_status
from csms_transactions.ocpp.v201 import request_start_transaction as v201_request_start_transaction
from csms_transactions.ocpp.v201 import request_stop_transaction as v201_request_stop_transaction

OutcomeT = TypeVar("OutcomeT")


class CommandError(Exception):
    """The command cannot be sent or was not answered; `code` is the gRPC status to report."""

    def __init__(self, code: grpc.StatusCode, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class StationAnswer(Generic[OutcomeT]):
    """The station's answer: its CALLRESULT (`payload`, and `outcome` read from it), or its CALLERROR."""

    message_id: str
    outcome: OutcomeT | None
    payload: dict[str, Any] | None
    error: CallErrorAnswer | None


class RemoteCommands:
    def __init__(self, calls: StationCalls, remote_start_ids: Callable[[], int], default_timeout_s: float) -> None:
        self._calls = calls
        self._remote_start_ids = remote_start_ids
        self._default_timeout_s = default_timeout_s

    async def start(
        self, station_id: str, token: Token, evse_id: int | None, timeout_s: float
    ) -> tuple[StationAnswer[str], int | None]:
        """The station's answer (its status) and the 2.x remoteStartId sent (None for 1.6)."""
        if not token.id_token:
            raise CommandError(grpc.StatusCode.INVALID_ARGUMENT, "an id token is required")
        version = await self._version(station_id)
        if version is OcppVersion.V16:
            request = v16_remote_start_transaction.request(token, evse_id)
            answer = await self._send(station_id, request, v16_remote_start_transaction.status, timeout_s)
            return answer, None
        remote_start_id = self._remote_start_ids()
        if version is OcppVersion.V201:
            request = v201_request_start_transaction.request(token, evse_id, remote_start_id)
            answer = await self._send(station_id, request, v201_request_start_transaction.status, timeout_s)
        else:
            request = v21_request_start_transaction.request(token, evse_id, remote_start_id)
            answer = await self._send(station_id, request, v21_request_start_transaction.status, timeout_s)
        return answer, remote_start_id

    async def stop(self, station_id: str, transaction_id: str, timeout_s: float) -> StationAnswer[str]:
        version = await self._version(station_id)
        if version is OcppVersion.V16:
            if not transaction_id.isdecimal():
                raise CommandError(grpc.StatusCode.INVALID_ARGUMENT, "a 1.6 transaction id is an integer")
            request = v16_remote_stop_transaction.request(int(transaction_id))
            return await self._send(station_id, request, v16_remote_stop_transaction.status, timeout_s)
        if version is OcppVersion.V201:
            request = v201_request_stop_transaction.request(transaction_id)
            return await self._send(station_id, request, v201_request_stop_transaction.status, timeout_s)
        request = v21_request_stop_transaction.request(transaction_id)
        return await self._send(station_id, request, v21_request_stop_transaction.status, timeout_s)

    async def status(self, station_id: str, transaction_id: str, timeout_s: float) -> StationAnswer[TransactionStatus]:
        version = await self._version(station_id)
        if version is OcppVersion.V16:
            raise CommandError(grpc.StatusCode.FAILED_PRECONDITION, "OCPP 1.6 has no GetTransactionStatus")
        if version is OcppVersion.V201:
            request = v201_get_transaction_status.request(transaction_id)
            return await self._send(station_id, request, v201_get_transaction_status.outcome, timeout_s)
        request = v21_get_transaction_status.request(transaction_id)
        return await self._send(station_id, request, v21_get_transaction_status.outcome, timeout_s)

    async def _version(self, station_id: str) -> OcppVersion:
        try:
            return await self._calls.connected_version(station_id)
        except StationCallError as exc:
            raise CommandError(exc.status, str(exc)) from exc

    async def _send(
        self, station_id: str, request: Any, read: Callable[[Any], OutcomeT], timeout_s: float
    ) -> StationAnswer[OutcomeT]:
        timeout = timeout_s if timeout_s > 0 else self._default_timeout_s
        try:
            answer = await self._calls.send(station_id, request, timeout)
        except CallErrorAnswer as error:
            return StationAnswer(error.message_id, None, None, error)
        except StationCallError as exc:
            raise CommandError(exc.status, str(exc)) from exc
        return StationAnswer(answer.message_id, read(answer.result), answer.payload, None)
