"""The DataTransfer vendor registry: UnknownVendorId, UnknownMessageId, the handler's answer, a failing handler
answered Rejected with its error; the vendors installed as entry points."""

from __future__ import annotations

from datetime import UTC, datetime
from types import SimpleNamespace
from typing import Any

import pytest

from csms_device_model.adapters import vendor_plugins
from csms_device_model.domain.vendors import (
    NO_MESSAGE_ID,
    DataNotJson,
    DuplicateVendor,
    Outcome,
    TransferStatus,
    Vendor,
    VendorAnswer,
    VendorRegistry,
    VendorRequest,
)
from csms_device_model.vendors import ocmf
from csms_kernel.ocpp.versions import OcppVersion

AT = datetime(2026, 11, 21, 12, tzinfo=UTC)


def a_request(vendor_id: str = "ACME", message_id: str | None = "ping", data: Any = None, **kw: Any) -> VendorRequest:
    return VendorRequest("CS-1", kw.get("version", OcppVersion.V201), vendor_id, message_id, data, AT)


def pong(request: VendorRequest) -> VendorAnswer:
    return VendorAnswer.accepted({"pong": request.json()}, details={"seen": True})


def broken(request: VendorRequest) -> VendorAnswer:
    raise KeyError("n")


REGISTRY = VendorRegistry.of(
    [
        Vendor("ACME", {"ping": pong, "broken": broken, NO_MESSAGE_ID: lambda r: VendorAnswer.rejected("NoMessage")}),
        Vendor("Wrong", {"answer": lambda r: "Accepted"}),  # type: ignore[arg-type, return-value]
    ]
)


def test_an_unknown_vendor_is_unknown_vendor_id() -> None:
    assert REGISTRY.answer(a_request("acme")) == Outcome(TransferStatus.UNKNOWN_VENDOR_ID)


def test_a_known_vendor_without_a_handler_for_the_message_is_unknown_message_id() -> None:
    assert REGISTRY.answer(a_request(message_id="pong")) == Outcome(TransferStatus.UNKNOWN_MESSAGE_ID)
    assert VendorRegistry.of([Vendor("X", {"m": pong})]).answer(a_request("X", None)) == Outcome(
        TransferStatus.UNKNOWN_MESSAGE_ID
    )


def test_the_handler_answers_with_its_status_data_and_details() -> None:
    assert REGISTRY.answer(a_request(data={"n": 1})) == Outcome(
        TransferStatus.ACCEPTED, {"pong": {"n": 1}}, None, {"seen": True}
    )
    assert REGISTRY.answer(a_request(message_id=None)) == Outcome(TransferStatus.REJECTED, None, "NoMessage")


def test_1_6_text_data_reads_as_json_for_a_handler_that_wants_it() -> None:
    assert REGISTRY.answer(a_request(data='{"n": 2}', version=OcppVersion.V16)).data == {"pong": {"n": 2}}
    with pytest.raises(DataNotJson):
        a_request(data="not json", version=OcppVersion.V16).json()


def test_a_failing_handler_is_answered_rejected_with_its_error() -> None:
    assert REGISTRY.answer(a_request(message_id="broken")) == Outcome(
        TransferStatus.REJECTED, reason_code="InternalError", error="KeyError: 'n'"
    )
    wrong = REGISTRY.answer(a_request("Wrong", "answer"))
    assert (wrong.status, wrong.reason_code) == (TransferStatus.REJECTED, "InternalError")
    assert wrong.error is not None and "not an Accepted or Rejected VendorAnswer" in wrong.error


def test_a_vendor_id_registered_twice_is_refused() -> None:
    with pytest.raises(DuplicateVendor, match="ACME"):
        VendorRegistry.of([Vendor("ACME", {}), Vendor("ACME", {})])


def test_the_installed_vendors_are_the_entry_points_of_the_group() -> None:
    assert vendor_plugins.installed_vendors().vendors == {ocmf.VENDOR_ID: ocmf.VENDOR}


def test_an_entry_point_that_is_not_a_vendor_stops_the_start(monkeypatch: pytest.MonkeyPatch) -> None:
    point = SimpleNamespace(name="bad", value="pkg:THING", load=lambda: object())
    monkeypatch.setattr(vendor_plugins, "entry_points", lambda group: [point])
    with pytest.raises(vendor_plugins.NotAVendor, match="bad = pkg:THING"):
        vendor_plugins.installed_vendors()
