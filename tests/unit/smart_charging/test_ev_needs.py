"""Answering NotifyEVChargingNeeds: the TxProfile (AC: the EV's maximum current within the station's maximum, DC: its
maximum power, until departure), sent once per report for the EVSE's active transaction; none without a
transaction or a maximum; transactions unreachable retries the batch."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest

from csms.smart_charging.v1 import smart_charging_pb2
from csms_kernel.infra.envelopes import version_to_proto
from csms_kernel.ocpp.errors import RetryableError
from csms_kernel.ocpp.versions import OcppVersion
from csms_smart_charging.app.ev_needs import AnswerEvNeeds
from csms_smart_charging.app.profiles import ProfileRequests
from csms_smart_charging.domain.ev_needs import tx_profile
from csms_smart_charging.domain.events import reported
from kit.builders.smart_charging import NOW, STATION
from kit.fakes.smart_charging import ActiveOn, InMemoryRequestKeys, ListedEvents, PublishedEvents, RecordingCommands
from unit.smart_charging.events import profile, set_and_answer

AC = {
    "requestedEnergyTransfer": "AC_three_phase",
    "departureTime": "2026-12-06T14:00:00.250Z",
    "acChargingParameters": {"energyAmount": 20000, "evMinCurrent": 6, "evMaxCurrent": 32, "evMaxVoltage": 400},
}
DC = {"requestedEnergyTransfer": "DC", "dcChargingParameters": {"evMaxCurrent": 200, "evMaxVoltage": 500}}


def test_ac_needs_within_the_station_maximum_until_departure() -> None:
    found = tx_profile({"evseId": 1, "chargingNeeds": AC}, "tx-1", 9, 16.0, NOW)
    assert found is not None
    assert (found["purpose"], found["transaction_id"], found["id"]) == ("TxProfile", "tx-1", 9)
    [schedule] = found["schedules"]
    assert (schedule["charging_rate_unit"], schedule["periods"], schedule["duration"]) == (
        "A",
        [{"start_period": 0, "limit": 16.0}],
        7200,
    )
    uncapped = tx_profile({"chargingNeeds": AC}, "tx-1", 9, None, NOW)
    assert uncapped is not None and uncapped["schedules"][0]["periods"][0]["limit"] == 32


def test_dc_needs_in_watts_without_departure() -> None:
    found = tx_profile({"chargingNeeds": DC}, "tx-1", 9, 16.0, NOW)
    assert found is not None
    [schedule] = found["schedules"]
    assert (schedule["charging_rate_unit"], schedule["periods"][0]["limit"], "duration" in schedule) == (
        "W",
        100000.0,
        False,
    )


def test_needs_without_a_maximum_make_no_profile() -> None:
    assert tx_profile({"chargingNeeds": {"requestedEnergyTransfer": "DC"}}, "tx-1", 9, None, NOW) is None


def needs(evse_id: int = 1, message_id: str = "m1") -> smart_charging_pb2.SmartChargingEvent:
    payload: dict[str, Any] = {"evseId": evse_id, "chargingNeeds": AC}
    report = smart_charging_pb2.StationReported(
        action="NotifyEVChargingNeeds",
        payload_json=json.dumps(payload),
        evse_id=evse_id,
        ocpp_version=version_to_proto(OcppVersion.V201),
        message_id=message_id,
    )
    return reported(STATION, "conn-1", report, NOW)


class Policy:
    def __init__(self, transactions: Any = None) -> None:
        self.view = ListedEvents()
        self.view.add(*set_and_answer(1, 0, 0, profile(1, "ChargingStationMaxProfile", limit=20)))
        self.commands = RecordingCommands(NOW)
        self.events = PublishedEvents()
        requests = ProfileRequests(
            InMemoryRequestKeys(), self.commands, self.events, lambda: NOW, timedelta(hours=1), 30.0
        )
        self.policy = AnswerEvNeeds(self.view, transactions or ActiveOn({(STATION, 1): "tx-1"}), requests)


async def test_the_needs_get_a_tx_profile_once() -> None:
    policy = Policy()
    await policy.policy.after_writes([needs()], None)
    await policy.policy.after_writes([needs()], None)
    [sent] = policy.commands.sent
    assert (sent.command, sent.params["evse_id"], sent.params["profile"]["transaction_id"]) == (
        "set-charging-profile",
        1,
        "tx-1",
    )
    assert sent.params["profile"]["schedules"][0]["periods"][0]["limit"] == 20
    # the repeat records the same event again (same id), never a second request
    assert len({e.event_id for e in policy.events.events}) == 1
    assert policy.events.events[0].requested.origin == smart_charging_pb2.REQUEST_ORIGIN_EV_NEEDS


async def test_no_transaction_on_the_evse_no_profile() -> None:
    policy = Policy()
    await policy.policy.after_writes([needs(evse_id=2)], None)
    assert policy.commands.sent == []


async def test_transactions_unreachable_retries_the_batch() -> None:
    class Down:
        async def active_transaction(self, station_id: str, evse_id: int) -> str | None:
            raise RetryableError("transactions: UNAVAILABLE")

    with pytest.raises(RetryableError):
        await Policy(Down()).policy.after_writes([needs()], None)
