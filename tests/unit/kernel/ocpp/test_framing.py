"""OCPP-J framing: well-formed frames parse, every malformed shape gets the right error kind and id."""

from __future__ import annotations

import json

import pytest

from csms_kernel.ocpp.errors import ErrorKind, code_for
from csms_kernel.ocpp.framing import Frame, MalformedFrame, MessageType, call_error_frame, parse_frame
from csms_kernel.ocpp.versions import OcppVersion


def test_call_parses() -> None:
    frame = parse_frame('[2,"m1","Heartbeat",{}]', OcppVersion.V16)
    assert frame == Frame(MessageType.CALL, "m1", action="Heartbeat", payload={})


def test_call_result_and_error_parse() -> None:
    assert parse_frame('[3,"m2",{"a":1}]', OcppVersion.V201) == Frame(MessageType.CALL_RESULT, "m2", payload={"a": 1})
    error = parse_frame('[4,"m3","NotSupported","no",{}]', OcppVersion.V201)
    assert error == Frame(MessageType.CALL_ERROR, "m3", error_code="NotSupported", error_description="no")


@pytest.mark.parametrize(
    ("text", "message_id", "kind"),
    [
        ("not json", "-1", ErrorKind.RPC_FRAMEWORK_ERROR),
        ('{"a":1}', "-1", ErrorKind.RPC_FRAMEWORK_ERROR),
        ("[2]", "-1", ErrorKind.RPC_FRAMEWORK_ERROR),
        ('[2,17,"Heartbeat",{}]', "-1", ErrorKind.RPC_FRAMEWORK_ERROR),
        (json.dumps([2, "x" * 37, "Heartbeat", {}]), "-1", ErrorKind.RPC_FRAMEWORK_ERROR),
        ('["2","m","Heartbeat",{}]', "m", ErrorKind.RPC_FRAMEWORK_ERROR),
        ('[9,"m","Heartbeat",{}]', "m", ErrorKind.MESSAGE_TYPE_NOT_SUPPORTED),
        ('[2,"m","Heartbeat"]', "m", ErrorKind.RPC_FRAMEWORK_ERROR),
        ('[2,"m","Heartbeat",[]]', "m", ErrorKind.RPC_FRAMEWORK_ERROR),
        ('[2,"m","",{}]', "m", ErrorKind.RPC_FRAMEWORK_ERROR),
        ('[3,"m"]', "m", ErrorKind.RPC_FRAMEWORK_ERROR),
        ('[4,"m","X"]', "m", ErrorKind.RPC_FRAMEWORK_ERROR),
        ('[2,"m","Heart\\ud800beat",{}]', "-1", ErrorKind.RPC_FRAMEWORK_ERROR),
        ('[2,"m","Heartbeat",{"a":"\\uDFFF"}]', "-1", ErrorKind.RPC_FRAMEWORK_ERROR),
    ],
)
def test_malformed(text: str, message_id: str, kind: ErrorKind) -> None:
    result = parse_frame(text, OcppVersion.V201)
    assert isinstance(result, MalformedFrame)
    assert (result.message_id, result.kind) == (message_id, kind)


def test_escaped_surrogate_pairs_are_characters() -> None:
    frame = parse_frame('[2,"m","DataTransfer",{"vendorId":"\\ud83d\\ude00 \\\\ud800"}]', OcppVersion.V201)
    assert isinstance(frame, Frame) and frame.payload == {"vendorId": "\U0001f600 \\ud800"}


def test_binary_frames_are_malformed() -> None:
    assert isinstance(parse_frame(b"[2]", OcppVersion.V16), MalformedFrame)


def test_send_and_call_result_error_only_in_21() -> None:
    assert isinstance(parse_frame('[6,"m","NotifyPeriodicEventStream",{}]', OcppVersion.V21), Frame)
    malformed = parse_frame('[6,"m","NotifyPeriodicEventStream",{}]', OcppVersion.V201)
    assert isinstance(malformed, MalformedFrame)
    assert malformed.kind is ErrorKind.MESSAGE_TYPE_NOT_SUPPORTED


def test_version_specific_codes() -> None:
    assert code_for(ErrorKind.RPC_FRAMEWORK_ERROR, OcppVersion.V16) == "FormationViolation"
    assert code_for(ErrorKind.FORMAT_VIOLATION, OcppVersion.V16) == "FormationViolation"
    assert code_for(ErrorKind.OCCURRENCE_CONSTRAINT_VIOLATION, OcppVersion.V16) == "OccurenceConstraintViolation"
    assert code_for(ErrorKind.OCCURRENCE_CONSTRAINT_VIOLATION, OcppVersion.V21) == "OccurrenceConstraintViolation"
    assert code_for(ErrorKind.MESSAGE_TYPE_NOT_SUPPORTED, OcppVersion.V201) == "MessageTypeNotSupported"


def test_error_description_is_truncated_to_255() -> None:
    frame = json.loads(call_error_frame("m", "GenericError", "x" * 300))
    assert frame[:3] == [4, "m", "GenericError"] and len(frame[3]) == 255 and frame[4] == {}


@pytest.mark.parametrize("number", ["NaN", "Infinity", "-Infinity", "1e400"])
def test_numbers_json_does_not_have_are_not_valid_json(number: str) -> None:
    parsed = parse_frame(f'[2, "m1", "Heartbeat", {{"x": {number}}}]', OcppVersion.V201)
    assert isinstance(parsed, MalformedFrame)
    assert (parsed.message_id, parsed.description) == ("-1", "frame is not valid JSON")


def test_integers_of_any_size_are_valid_json() -> None:
    parsed = parse_frame('[2, "m1", "DataTransfer", {"x": 123456789012345678901234567890}]', OcppVersion.V201)
    assert isinstance(parsed, Frame) and parsed.payload == {"x": 123456789012345678901234567890}
