"""2.0.1 MeterValues through the 2.0.1 routing table: samples of an EVSE outside any transaction."""

from __future__ import annotations

from csms.transactions.v1 import transactions_pb2
from csms_kernel.infra.envelopes import timestamp, version_to_proto
from csms_kernel.ocpp.versions import OcppVersion
from kit.builders.transactions import NOW, Csms, at, energy

VERSION = OcppVersion.V201


async def test_reports_the_samples_of_the_evse() -> None:
    csms = Csms(VERSION)
    payload = {
        "evseId": 0,
        "meterValue": [{"timestamp": "2026-11-21T10:00:00Z", "sampledValue": [{"value": 123456.5}]}],
    }
    assert await csms.result("MeterValues", payload) == {}
    answer = await csms.send("MeterValues", payload)
    assert answer.events == [
        transactions_pb2.TransactionEvent(
            station_id="CS-1",
            message_id="msg-1",
            ocpp_version=version_to_proto(VERSION),
            occurred_at=timestamp(at(10)),
            received_at=timestamp(NOW),
            meter_values_reported=transactions_pb2.MeterValuesReported(
                meter_values=[energy(123456.5, at(10), raw="123456.5")]
            ),
        )
    ]
