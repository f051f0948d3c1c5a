"""Answering an EV's charging needs: after the view projector wrote a batch, each NotifyEVChargingNeeds in it gets
a TxProfile for the EVSE's active transaction (domain/ev_needs.py: the EV's maximum within the station's
ChargingStationMaxProfile), set through device-model once per report (request key `ev-needs:<event id>`, origin
EV_NEEDS). Needs without a transaction on the EVSE, or naming no maximum, are left alone (logged). The
transactions service or device-model unreachable retries the batch (RetryableError). Never during a rebuild.
Side effects: reads the view (Cassandra), the transactions service (gRPC), ProfileRequests."""

from __future__ import annotations

import json
import logging
import zlib
from collections.abc import Sequence

from google.protobuf.message import Message

from csms.smart_charging.v1 import smart_charging_pb2
from csms_kernel.clients.station_commands import CommandRefused
from csms_kernel.infra.envelopes import to_datetime
from csms_kernel.ocpp.errors import RetryableError
from csms_kernel.outbox.relay import EventLogUnavailable
from csms_smart_charging.app.profiles import ProfileRequests
from csms_smart_charging.domain.ev_needs import tx_profile
from csms_smart_charging.domain.view import station_view
from csms_smart_charging.ports import ActiveTransactions, StationEvents

log = logging.getLogger(__name__)

ACTION = "NotifyEVChargingNeeds"


def needs_reported(events: Sequence[Message]) -> list[smart_charging_pb2.SmartChargingEvent]:
    return [
        event
        for event in events
        if isinstance(event, smart_charging_pb2.SmartChargingEvent)
        and event.WhichOneof("event") == "reported"
        and event.reported.action == ACTION
    ]


def station_max_a(view: smart_charging_pb2.StationChargingProfiles) -> float | None:
    """The lowest limit of the station's ChargingStationMaxProfiles in A (None: none installed in A)."""
    limits = [
        period["limit"]
        for profile in view.installed
        if profile.purpose == "ChargingStationMaxProfile"
        for schedule in json.loads(profile.profile_json).get("schedules", [])
        if schedule.get("charging_rate_unit") == "A"
        for period in schedule.get("periods", [])
    ]
    return min(limits) if limits else None


class AnswerEvNeeds:
    def __init__(self, events: StationEvents, transactions: ActiveTransactions, requests: ProfileRequests) -> None:
        self._events = events
        self._transactions = transactions
        self._requests = requests

    async def after_writes(self, events: Sequence[Message], state: None) -> None:
        for event in needs_reported(events):
            await self._answer(event)

    async def _answer(self, event: smart_charging_pb2.SmartChargingEvent) -> None:
        station_id, evse_id = event.station_id, event.reported.evse_id
        transaction_id = await self._transactions.active_transaction(station_id, evse_id)
        if transaction_id is None:
            log.info("EV charging needs of %s EVSE %s: no active transaction, no profile", station_id, evse_id)
            return
        view = station_view(station_id, await self._events.events(station_id)).message()
        profile_id = zlib.crc32(f"{transaction_id}:{evse_id}".encode()) & 0x7FFFFFFF
        profile = tx_profile(
            json.loads(event.reported.payload_json),
            transaction_id,
            profile_id,
            station_max_a(view),
            to_datetime(event.recorded_at),
        )
        if profile is None:
            log.info("EV charging needs of %s EVSE %s name no maximum: no profile", station_id, evse_id)
            return
        try:
            await self._requests.set_profile(
                station_id,
                evse_id,
                profile,
                request_key=f"ev-needs:{event.event_id}",
                origin=smart_charging_pb2.REQUEST_ORIGIN_EV_NEEDS,
            )
        except (EventLogUnavailable, CommandRefused) as exc:
            if isinstance(exc, CommandRefused) and not exc.retryable:
                log.warning("EV charging needs of %s EVSE %s not answered: %s", station_id, evse_id, exc)
                return
            raise RetryableError(f"answering EV charging needs of {station_id}: {exc}") from exc
