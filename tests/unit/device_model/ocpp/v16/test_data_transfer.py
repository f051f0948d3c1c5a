"""1.6 DataTransfer from a station, through the 1.6 routing table: the vendor registry's answer (1.6 has no
statusInfo; data is text) and DataTransferReceived for the log."""

from __future__ import annotations

import dataclasses
import json
from typing import Any

from csms.device_model.v1 import device_model_pb2
from csms_device_model.domain.vendors import Vendor, VendorAnswer, VendorRegistry, VendorRequest
from csms_device_model.ocpp.routing import TABLES
from csms_kernel.handling.router import Router
from csms_kernel.ocpp.framing import Frame, MessageType
from csms_kernel.ocpp.versions import OcppVersion
from kit.builders.device_model import expected_event, make_context
from kit.builders.ocmf import record

VERSION = OcppVersion.V16


def echo(request: VendorRequest) -> VendorAnswer:
    return VendorAnswer.accepted({"echo": request.json()})


def explode(request: VendorRequest) -> VendorAnswer:
    raise RuntimeError("boom")


async def dispatch(payload: dict[str, Any], registry: VendorRegistry | None = None) -> tuple[Any, list[Any]]:
    ctx = make_context(VERSION, action="DataTransfer")
    if registry is not None:
        ctx = dataclasses.replace(ctx, vendors=registry)
    router = Router(TABLES, lambda call, emitted: ctx)
    answer = await router.dispatch(ctx.call, Frame(MessageType.CALL, "msg-1", "DataTransfer", payload))
    return json.loads(answer.frame), ctx.emitted.events


def received(**fields: Any) -> device_model_pb2.DeviceModelEvent:
    return expected_event(VERSION, data_transfer_received=device_model_pb2.DataTransferReceived(**fields))


async def test_an_unknown_vendor_is_answered_unknown_vendor_id_and_logged() -> None:
    frame, events = await dispatch({"vendorId": "NOBODY", "messageId": "x", "data": "abc"})
    assert frame == [3, "msg-1", {"status": "UnknownVendorId"}]
    assert events == [
        received(vendor_id="NOBODY", vendor_message_id="x", data_json='"abc"', status="unknown_vendor_id")
    ]


async def test_an_unknown_message_of_a_known_vendor_is_answered_unknown_message_id() -> None:
    frame, events = await dispatch({"vendorId": "org.csms.ocmf", "messageId": "Nope"})
    assert frame == [3, "msg-1", {"status": "UnknownMessageId"}]
    assert events == [received(vendor_id="org.csms.ocmf", vendor_message_id="Nope", status="unknown_message_id")]


async def test_the_shipped_ocmf_vendor_accepts_a_signed_meter_value() -> None:
    data = record()
    frame, events = await dispatch({"vendorId": "org.csms.ocmf", "messageId": "SignedMeterValue", "data": data})
    assert frame == [3, "msg-1", {"status": "Accepted"}]
    (event,) = events
    assert event.data_transfer_received.status == "accepted"
    assert json.loads(event.data_transfer_received.data_json) == data
    assert json.loads(event.data_transfer_received.details_json)["energy"] == {"value": "12.055", "unit": "kWh"}


async def test_answer_data_that_is_not_text_goes_as_its_json_text() -> None:
    registry = VendorRegistry.of([Vendor("ACME", {"echo": echo})])
    frame, events = await dispatch({"vendorId": "ACME", "messageId": "echo", "data": '{"n":1}'}, registry)
    assert frame == [3, "msg-1", {"status": "Accepted", "data": '{"echo":{"n":1}}'}]
    assert events == [
        received(
            vendor_id="ACME",
            vendor_message_id="echo",
            data_json='"{\\"n\\":1}"',
            status="accepted",
            response_data_json='{"echo":{"n":1}}',
        )
    ]


async def test_a_failing_handler_is_answered_rejected_and_its_error_logged() -> None:
    registry = VendorRegistry.of([Vendor("ACME", {"explode": explode})])
    frame, events = await dispatch({"vendorId": "ACME", "messageId": "explode"}, registry)
    assert frame == [3, "msg-1", {"status": "Rejected"}]
    assert events == [
        received(
            vendor_id="ACME",
            vendor_message_id="explode",
            status="rejected",
            reason_code="InternalError",
            error="RuntimeError: boom",
        )
    ]


async def test_a_payload_against_the_schema_is_a_callerror_without_events() -> None:
    frame, events = await dispatch({"messageId": "x"})
    assert frame[0] == 4 and frame[2] in ("FormationViolation", "OccurenceConstraintViolation", "ProtocolError")
    assert events == []
