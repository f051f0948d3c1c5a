"""`/api/v1/stations/{station_id}/sessions`: remote start (1.6 RemoteStartTransaction, 2.x
RequestStartTransaction) and remote stop of a transaction, answering the station's own answer. Translation to
TransactionsService only."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query
from pydantic import BaseModel, ConfigDict, Field

from csms.transactions.v1 import transactions_pb2 as tx
from csms_api.api import convert
from csms_api.api.auth import OPERATE
from csms_api.api.context import ApiContext, context
from csms_api.api.problems import documented
from csms_api.api.stations import StationId
from csms_api.api.tokens import TokenType
from csms_kernel.clients.station_calls import LOOKUP_TIMEOUT_S, rpc_deadline_s

router = APIRouter(prefix="/api/v1/stations/{station_id}/sessions", tags=["sessions"])
DEFAULT_TIMEOUT_S = 30.0
Api = Annotated[ApiContext, Depends(context)]
Timeout = Annotated[
    float,
    Query(
        alias="timeout",
        gt=0,
        le=300,
        description=f"Seconds the station may take to answer (default {DEFAULT_TIMEOUT_S:g}).",
    ),
]


class SessionStart(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id_token: str = Field(min_length=1, max_length=255, description="The token to charge for.")
    token_type: TokenType | None = Field(default=None, description="2.x IdTokenType (default Central); 1.6 ignores it.")
    evse_id: int | None = Field(default=None, ge=0, description="2.x evseId / 1.6 connectorId; null: station's choice.")


class StationAnswer(BaseModel):
    station_id: str
    status: str | None = Field(description="The station's status (Accepted, Rejected) from its CALLRESULT.")
    message_id: str
    result: Any = Field(description="The CALLRESULT payload as the station sent it; null after a CALLERROR.")
    call_error: convert.CallError | None
    remote_start_id: int | None = Field(default=None, description="2.x remoteStartId sent with a start.")


def relayed_deadline_s(timeout_s: float) -> float:
    """The deadline of a call to a service that looks the station up, then sends it a CALL waiting up to
    `timeout_s` (with the kernel's deadline rule for that CALL)."""
    return LOOKUP_TIMEOUT_S + rpc_deadline_s(timeout_s)


Answered = tx.StartSessionResponse | tx.StopSessionResponse


def _answer(station_id: str, response: Answered, remote_start_id: int | None = None) -> StationAnswer:
    failed = response.WhichOneof("outcome") == "error"
    return StationAnswer(
        station_id=station_id,
        status=convert.text(response.status),
        message_id=response.message_id,
        result=None if failed else convert.parsed(response.result_json),
        call_error=convert.call_error(response.error) if failed else None,
        remote_start_id=remote_start_id,
    )


@router.post("", dependencies=[OPERATE], responses=documented(404, 409), summary="Start a session remotely")
async def start_session(
    station_id: StationId, body: SessionStart, api: Api, timeout_s: Timeout = DEFAULT_TIMEOUT_S
) -> StationAnswer:
    """Asks the station to start charging for the token; answers once the station answered. 409: the station
    is offline; 504: no answer in time."""
    request = tx.StartSessionRequest(
        station_id=station_id,
        id_token=tx.IdToken(id_token=body.id_token, type=body.token_type or ""),
        evse_id=body.evse_id,
        timeout_ms=round(timeout_s * 1000),
    )
    response = await api.transactions.start_session(request, relayed_deadline_s(timeout_s))
    remote_start_id = response.remote_start_id if response.HasField("remote_start_id") else None
    return _answer(station_id, response, remote_start_id)


@router.post(
    "/{transaction_id}/stop", dependencies=[OPERATE], responses=documented(404, 409), summary="Stop a session remotely"
)
async def stop_session(
    station_id: StationId,
    transaction_id: Annotated[str, Path(min_length=1)],
    api: Api,
    timeout_s: Timeout = DEFAULT_TIMEOUT_S,
) -> StationAnswer:
    """Asks the station to stop the transaction; answers once the station answered."""
    request = tx.StopSessionRequest(
        station_id=station_id, transaction_id=transaction_id, timeout_ms=round(timeout_s * 1000)
    )
    return _answer(station_id, await api.transactions.stop_session(request, relayed_deadline_s(timeout_s)))
