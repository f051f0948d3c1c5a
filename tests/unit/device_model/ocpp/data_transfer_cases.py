"""DataTransfer cases shared by the 2.0.1 and 2.1 tests (`v201/test_data_transfer.py`, `v21/test_data_transfer.py`,
which give the `version`): a station's DataTransfer through the version's routing table, the vendor registry's
answer (data any JSON, a statusInfo reason code when the handler gives one) and DataTransferReceived for the log."""

from __future__ import annotations

import dataclasses
import json
from typing import Any

from csms.device_model.v1 import device_model_pb2
from csms_device_model.domain.vendors import Vendor, VendorAnswer, VendorRegistry
from csms_device_model.ocpp.routing import TABLES
from csms_kernel.handling.router import Router
from csms_kernel.ocpp.framing import Frame, MessageType
from csms_kernel.ocpp.versions import OcppVersion
from kit.builders.device_model import expected_event, make_context
from kit.builders.ocmf import record

REGISTRY = VendorRegistry.of(
    [
        Vendor(
            "ACME",
            {
                "echo": lambda r: VendorAnswer.accepted({"echo": r.json()}),
                "refuse": lambda r: VendorAnswer.rejected("ThisIsAVeryLongReasonCode"),
                "unjson": lambda r: VendorAnswer.accepted({1, 2}),
            },
        )
    ]
)


async def dispatch(
    version: OcppVersion, payload: dict[str, Any], registry: VendorRegistry | None = None
) -> tuple[Any, list[Any]]:
    ctx = make_context(version, action="DataTransfer")
    if registry is not None:
        ctx = dataclasses.replace(ctx, vendors=registry)
    router = Router(TABLES, lambda call, emitted: ctx)
    answer = await router.dispatch(ctx.call, Frame(MessageType.CALL, "msg-1", "DataTransfer", payload))
    return json.loads(answer.frame), ctx.emitted.events


def received(version: OcppVersion, **fields: Any) -> device_model_pb2.DeviceModelEvent:
    return expected_event(version, data_transfer_received=device_model_pb2.DataTransferReceived(**fields))


async def test_unknown_vendor_and_unknown_message_as_the_specification_says(version: OcppVersion) -> None:
    assert (await dispatch(version, {"vendorId": "NOBODY"}))[0] == [3, "msg-1", {"status": "UnknownVendorId"}]
    frame, events = await dispatch(version, {"vendorId": "ACME", "messageId": "other", "data": [1]}, REGISTRY)
    assert frame == [3, "msg-1", {"status": "UnknownMessageId"}]
    assert events == [
        received(version, vendor_id="ACME", vendor_message_id="other", data_json="[1]", status="unknown_message_id")
    ]


async def test_json_data_in_and_out(version: OcppVersion) -> None:
    frame, events = await dispatch(version, {"vendorId": "ACME", "messageId": "echo", "data": {"n": 1}}, REGISTRY)
    assert frame == [3, "msg-1", {"status": "Accepted", "data": {"echo": {"n": 1}}}]
    assert events == [
        received(
            version,
            vendor_id="ACME",
            vendor_message_id="echo",
            data_json='{"n":1}',
            status="accepted",
            response_data_json='{"echo":{"n":1}}',
        )
    ]


async def test_a_rejection_carries_its_reason_code_cut_to_the_schema(version: OcppVersion) -> None:
    frame, _ = await dispatch(version, {"vendorId": "ACME", "messageId": "refuse"}, REGISTRY)
    assert frame == [3, "msg-1", {"status": "Rejected", "statusInfo": {"reasonCode": "ThisIsAVeryLongReaso"}}]


async def test_a_handler_answering_what_is_not_json_is_rejected_not_a_crash(version: OcppVersion) -> None:
    frame, events = await dispatch(version, {"vendorId": "ACME", "messageId": "unjson"}, REGISTRY)
    assert frame == [3, "msg-1", {"status": "Rejected", "statusInfo": {"reasonCode": "InternalError"}}]
    assert events[0].data_transfer_received.error.startswith("answer is not JSON")


async def test_the_shipped_ocmf_vendor_rejects_a_malformed_record_with_the_problem_in_the_log(
    version: OcppVersion,
) -> None:
    frame, events = await dispatch(
        version, {"vendorId": "org.csms.ocmf", "messageId": "SignedMeterValue", "data": "OCMF|x"}
    )
    assert frame == [3, "msg-1", {"status": "Rejected", "statusInfo": {"reasonCode": "InvalidOcmf"}}]
    details = json.loads(events[0].data_transfer_received.details_json)
    assert details == {"problem": "the record must be OCMF|{payload}|{signature}"}
    accepted, _ = await dispatch(
        version, {"vendorId": "org.csms.ocmf", "messageId": "SignedMeterValue", "data": record()}
    )
    assert accepted == [3, "msg-1", {"status": "Accepted"}]
