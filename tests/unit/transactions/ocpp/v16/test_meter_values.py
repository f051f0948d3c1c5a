"""1.6 MeterValues through the 1.6 routing table: samples of a transaction or of a connector, normalised."""

from __future__ import annotations

from csms.transactions.v1 import transactions_pb2
from csms_kernel.infra.envelopes import timestamp, version_to_proto
from csms_kernel.ocpp.versions import OcppVersion
from kit.builders.transactions import Csms, at, energy, event

VERSION = OcppVersion.V16
SAMPLES = [
    {
        "timestamp": "2026-11-21T10:15:00Z",
        "sampledValue": [
            {"value": "2.25", "unit": "kWh"},
            {"value": "7.4", "measurand": "Power.Active.Import", "unit": "kW", "phase": "L1"},
            {"value": "16.1", "measurand": "Current.Import", "unit": "A", "phase": "L1", "location": "Outlet"},
            {"value": "95", "measurand": "Temperature", "unit": "Fahrenheit", "location": "Body"},
            {"value": "4e7a...", "format": "SignedData", "context": "Sample.Clock"},
        ],
    },
    {"timestamp": "2026-11-21T10:16:00Z", "sampledValue": [{"value": "2400"}]},
]


def samples() -> list[transactions_pb2.SampledValue]:
    t1 = timestamp(at(10, 15))
    common = {"context": "Sample.Periodic", "format": "Raw"}
    return [
        energy(2250.0, at(10, 15), raw="2.25", unit="kWh", fmt="Raw"),
        transactions_pb2.SampledValue(
            sampled_at=t1, measurand="Power.Active.Import", phase="L1", location="Outlet", value=7400.0, unit="W",
            raw_value="7.4", raw_unit="kW", **common,
        ),
        transactions_pb2.SampledValue(
            sampled_at=t1, measurand="Current.Import", phase="L1", location="Outlet", value=16.1, unit="A",
            raw_value="16.1", raw_unit="A", **common,
        ),
        transactions_pb2.SampledValue(
            sampled_at=t1, measurand="Temperature", location="Body", value=35.0, unit="Celsius",
            raw_value="95", raw_unit="Fahrenheit", **common,
        ),
        transactions_pb2.SampledValue(
            sampled_at=t1, measurand="Energy.Active.Import.Register", location="Outlet", context="Sample.Clock",
            unit="Wh", raw_value="4e7a...", raw_unit="Wh", format="SignedData",
        ),
        energy(2400.0, at(10, 16), raw="2400", fmt="Raw"),
    ]  # fmt: skip


async def test_samples_of_a_transaction_are_reported_normalised() -> None:
    csms = Csms(VERSION)
    start = {"connectorId": 1, "idTag": "TAG-1", "meterStart": 0, "timestamp": "2026-11-21T10:00:00Z"}
    await csms.result("StartTransaction", start, message_id="start")
    payload = {"connectorId": 1, "transactionId": 1001, "meterValue": SAMPLES}
    assert await csms.result("MeterValues", payload) == {}
    answer = await csms.send("MeterValues", payload)
    updated = transactions_pb2.TransactionUpdated(evse_id=1, connector_id=1, meter_values=samples())
    token = transactions_pb2.IdToken(id_token="TAG-1")
    expected = event(VERSION, "1001", at(10, 16), first_seen_at=at(10), session_token=token, updated=updated)
    assert answer.events == [expected]


async def test_samples_for_a_transaction_never_seen_make_it_known() -> None:
    csms = Csms(VERSION)
    payload = {"connectorId": 1, "transactionId": 55, "meterValue": SAMPLES}
    answer = await csms.send("MeterValues", payload)
    assert answer.events[0].transaction_id == "55" and answer.events[0].first_seen_at == timestamp(at(10, 16))


async def test_samples_without_a_transaction_are_reported_for_the_connector() -> None:
    csms = Csms(VERSION)
    answer = await csms.send("MeterValues", {"connectorId": 0, "meterValue": SAMPLES})
    reported = transactions_pb2.MeterValuesReported(evse_id=0, connector_id=0, meter_values=samples())
    expected = transactions_pb2.TransactionEvent(
        station_id="CS-1",
        message_id="msg-1",
        ocpp_version=version_to_proto(VERSION),
        occurred_at=timestamp(at(10, 16)),
        received_at=answer.events[0].received_at,
        meter_values_reported=reported,
    )
    assert answer.events == [expected]
    assert csms.state.states == {}
