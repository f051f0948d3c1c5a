"""SecurityEventNotification on each version, through that version's routing table: answered {} and recorded as
the station sent it, with an id derived from the CALL."""

from __future__ import annotations

import pytest

from csms.security.v1 import security_pb2
from csms_kernel.infra.envelopes import timestamp, version_to_proto
from csms_kernel.ocpp.timestamps import parse_ocpp_datetime
from csms_kernel.ocpp.versions import OcppVersion
from kit.builders.security import NOW, STATION, Csms

VERSIONS = [OcppVersion.V16, OcppVersion.V201, OcppVersion.V21]


@pytest.mark.parametrize("version", VERSIONS)
async def test_a_critical_event_is_answered_and_recorded_as_sent(version: OcppVersion) -> None:
    csms = Csms(version)
    payload = {"type": "TamperDetectionActivated", "timestamp": "2026-11-21T11:59:58.5Z", "techInfo": "lid open"}
    answer = await csms.send("SecurityEventNotification", payload, message_id="m-7")
    assert (answer.is_error, answer.frame) == (False, '[3,"m-7",{}]')
    [record] = answer.events
    assert isinstance(record, security_pb2.SecurityEventRecorded)
    event = record.event
    assert event.event_id
    expected = security_pb2.SecurityEvent(
        event_id=event.event_id,
        station_id=STATION,
        source=security_pb2.SECURITY_EVENT_SOURCE_STATION,
        type="TamperDetectionActivated",
        critical=True,
        tech_info="lid open",
        occurred_at=timestamp(parse_ocpp_datetime("2026-11-21T11:59:58.5Z")),
        recorded_at=timestamp(NOW),
        ocpp_version=version_to_proto(version),
        message_id="m-7",
    )
    assert event == expected


@pytest.mark.parametrize("version", VERSIONS)
async def test_a_non_critical_event_without_tech_info(version: OcppVersion) -> None:
    answer = await Csms(version).send(
        "SecurityEventNotification", {"type": "InvalidMessages", "timestamp": "2026-11-21T11:00:00Z"}
    )
    [record] = answer.events
    assert (record.event.type, record.event.critical, record.event.tech_info) == ("InvalidMessages", False, "")


async def test_the_same_call_handled_again_gets_the_same_event_id_and_another_call_another() -> None:
    csms = Csms(OcppVersion.V201)
    payload = {"type": "SettingSystemTime", "timestamp": "2026-11-21T11:00:00Z"}
    first = (await csms.send("SecurityEventNotification", payload, "m-1")).events[0].event.event_id
    again = (await csms.send("SecurityEventNotification", payload, "m-1")).events[0].event.event_id
    other = (await csms.send("SecurityEventNotification", payload, "m-2")).events[0].event.event_id
    reconnected = (
        (await csms.send("SecurityEventNotification", payload, "m-1", connection_id="conn-2")).events[0].event.event_id
    )
    assert first == again
    assert len({first, other, reconnected}) == 3


async def test_an_invalid_timestamp_is_a_call_error_without_event() -> None:
    answer = await Csms(OcppVersion.V16).send(
        "SecurityEventNotification", {"type": "InvalidMessages", "timestamp": "yesterday"}
    )
    assert answer.is_error
    assert answer.events == []
