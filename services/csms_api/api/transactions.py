"""`/api/v1/transactions`: list (station, token, time range, active) and get one with its meter samples.
Translation to TransactionsService only."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Path, Query
from pydantic import AwareDatetime, BaseModel, Field

from csms.transactions.v1 import transactions_pb2 as tx
from csms_api.api import convert
from csms_api.api.auth import READ
from csms_api.api.context import ApiContext, context
from csms_api.api.paging import Cursor, Limit, Page, json_filters, next_cursor, page_token
from csms_api.api.problems import documented, invalid

router = APIRouter(prefix="/api/v1/transactions", tags=["transactions"])
LISTING = "transactions"
Api = Annotated[ApiContext, Depends(context)]


class IdToken(BaseModel):
    id_token: str
    type: str | None = Field(description="2.x IdTokenType; null for a 1.6 idTag.")


class Transaction(BaseModel):
    station_id: str
    transaction_id: str = Field(description="1.6: the CSMS-allocated id; 2.x: the station's id.")
    ocpp_version: convert.OcppVersionName | None
    state: Literal["active", "ended"] | None
    evse_id: int
    connector_id: int
    id_token: IdToken | None
    authorization_status: str | None
    started_at: datetime | None
    ended_at: datetime | None
    first_seen_at: datetime | None = Field(description="When the CSMS first heard of it; listings are ordered by it.")
    updated_at: datetime | None
    meter_start_wh: float | None
    meter_stop_wh: float | None
    energy_wh: float | None
    stop_reason: str | None
    charging_state: str | None
    remote_start_id: int | None
    unknown_start: bool = Field(description="Ended, but never started as far as the CSMS knows.")


class MeterSample(BaseModel):
    sampled_at: datetime | None
    measurand: str
    phase: str | None
    location: str | None
    context: str | None
    value: float | None = Field(description="In `unit`, normalised (kilo units and 2.x multipliers applied).")
    unit: str | None
    raw_value: str | None
    raw_unit: str | None
    raw_multiplier: int
    format: str | None
    signed_meter_value: str | None = Field(description="2.x signedMeterValue as received (JSON).")


class TransactionWithSamples(Transaction):
    samples: list[MeterSample] = Field(description="In sample time order.")


_STATES: dict[int, Literal["active", "ended"]] = {
    tx.TRANSACTION_STATE_ACTIVE: "active",
    tx.TRANSACTION_STATE_ENDED: "ended",
}


def transaction(message: tx.Transaction) -> Transaction:
    has = message.HasField
    return Transaction(
        station_id=message.station_id,
        transaction_id=message.transaction_id,
        ocpp_version=convert.version(message.ocpp_version),
        state=_STATES.get(message.state),
        evse_id=message.evse_id,
        connector_id=message.connector_id,
        id_token=(
            IdToken(id_token=message.id_token.id_token, type=convert.text(message.id_token.type))
            if has("id_token") and message.id_token.id_token
            else None
        ),
        authorization_status=convert.text(message.authorization_status),
        started_at=convert.when(message, "started_at"),
        ended_at=convert.when(message, "ended_at"),
        first_seen_at=convert.when(message, "first_seen_at"),
        updated_at=convert.when(message, "updated_at"),
        meter_start_wh=message.meter_start_wh if has("meter_start_wh") else None,
        meter_stop_wh=message.meter_stop_wh if has("meter_stop_wh") else None,
        energy_wh=message.energy_wh if has("energy_wh") else None,
        stop_reason=convert.text(message.stop_reason),
        charging_state=convert.text(message.charging_state),
        remote_start_id=message.remote_start_id if has("remote_start_id") else None,
        unknown_start=message.unknown_start,
    )


def _sample(sample: tx.SampledValue) -> MeterSample:
    return MeterSample(
        sampled_at=convert.when(sample, "sampled_at"),
        measurand=sample.measurand,
        phase=convert.text(sample.phase),
        location=convert.text(sample.location),
        context=convert.text(sample.context),
        value=sample.value if sample.HasField("value") else None,
        unit=convert.text(sample.unit),
        raw_value=convert.text(sample.raw_value),
        raw_unit=convert.text(sample.raw_unit),
        raw_multiplier=sample.raw_multiplier,
        format=convert.text(sample.format),
        signed_meter_value=convert.text(sample.signed_meter_value_json),
    )


@router.get("", dependencies=[READ], summary="List transactions")
async def list_transactions(
    api: Api,
    limit: Limit = 50,
    cursor: Cursor = None,
    station_id: Annotated[str | None, Query(min_length=1, description="Only this station's.")] = None,
    id_token: Annotated[str | None, Query(min_length=1, description="Only this token's (case-insensitive).")] = None,
    from_: Annotated[
        AwareDatetime | None, Query(alias="from", description="First seen at or after (ISO 8601 with a zone).")
    ] = None,
    to: Annotated[AwareDatetime | None, Query(description="First seen before (ISO 8601 with a zone).")] = None,
    active: Annotated[bool, Query(description="Only transactions that have not ended.")] = False,
) -> Page[Transaction]:
    """Newest first (by when the CSMS first heard of them); the filters combine."""
    if from_ is not None and to is not None and from_ >= to:
        raise invalid("query.from", "must be before to")
    filters = json_filters(station_id=station_id, id_token=id_token, since=from_, until=to, active=active or None)
    request = tx.ListTransactionsRequest(
        station_id=station_id or "",
        id_token=id_token or "",
        active_only=active,
        page_size=limit,
        page_token=page_token(api.cursors, cursor, LISTING, filters),
    )
    if from_ is not None:
        request.since.FromDatetime(from_)
    if to is not None:
        request.until.FromDatetime(to)
    page = await api.transactions.list_transactions(request)
    return Page[Transaction](
        items=[transaction(message) for message in page.transactions],
        next_cursor=next_cursor(api.cursors, page.next_page_token, LISTING, filters),
    )


@router.get("/{transaction_id}", dependencies=[READ], responses=documented(404, 409), summary="Get a transaction")
async def get_transaction(
    api: Api,
    transaction_id: Annotated[str, Path(min_length=1)],
    station_id: Annotated[
        str | None, Query(min_length=1, description="Needed only when several stations use this id (409 otherwise).")
    ] = None,
) -> TransactionWithSamples:
    request = tx.GetTransactionRequest(transaction_id=transaction_id, station_id=station_id or "")
    found = await api.transactions.get_transaction(request)
    samples = [_sample(sample) for sample in found.samples]
    return TransactionWithSamples(**dict(transaction(found.transaction)), samples=samples)
