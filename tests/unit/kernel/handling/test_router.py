"""Router: validation, typed dispatch and CALLERROR mapping per version (fake handlers, no I/O)."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from typing import Any

import pytest
from ocpp.v16 import call as v16_call
from ocpp.v16 import call_result as v16_result
from ocpp.v201 import call as v201_call
from ocpp.v201 import call_result as v201_result

from csms_kernel.handling.router import CallInfo, Emitted, Route, Router
from csms_kernel.ocpp.errors import ErrorKind, OcppCallError, RetryableError
from csms_kernel.ocpp.framing import Frame, MessageType
from csms_kernel.ocpp.versions import OcppVersion

NOW = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)


def call_info(version: OcppVersion, action: str) -> CallInfo:
    return CallInfo("CS1", "default", version, "m1", action, NOW, "edge-1", "c1")


async def heartbeat_v16(ctx: Emitted, request: v16_call.Heartbeat) -> v16_result.Heartbeat:
    return v16_result.Heartbeat(current_time="2026-01-02T03:04:05.000Z")


async def heartbeat_v201(ctx: Emitted, request: v201_call.Heartbeat) -> Any:
    raise OcppCallError(ErrorKind.GENERIC_ERROR, "nope")


async def broken(ctx: Emitted, request: Any) -> Any:
    raise KeyError("bug")


async def bad_response(ctx: Emitted, request: Any) -> v201_result.Heartbeat:
    return v201_result.Heartbeat(current_time=42)  # type: ignore[arg-type]


async def unavailable(ctx: Emitted, request: Any) -> Any:
    raise RetryableError("store down")


def router(handler_v201: Any = heartbeat_v201) -> Router[Emitted]:
    return Router(
        {
            OcppVersion.V16: {"Heartbeat": Route(v16_call.Heartbeat, heartbeat_v16)},
            OcppVersion.V201: {"Heartbeat": Route(v201_call.Heartbeat, handler_v201)},
        },
        lambda call, emitted: emitted,
    )


def frame(action: str, payload: dict[str, Any]) -> Frame:
    return Frame(MessageType.CALL, "m1", action=action, payload=payload)


async def test_dispatch_returns_call_result() -> None:
    answer = await router().dispatch(call_info(OcppVersion.V16, "Heartbeat"), frame("Heartbeat", {}))
    assert json.loads(answer.frame) == [3, "m1", {"currentTime": "2026-01-02T03:04:05.000Z"}]
    assert not answer.is_error


@pytest.mark.parametrize(
    ("version", "action", "payload", "code"),
    [
        (OcppVersion.V16, "Heartbeat", {"x": 1}, "FormationViolation"),
        (OcppVersion.V201, "Heartbeat", {"x": 1}, "FormatViolation"),
        (OcppVersion.V16, "Authorize", {"idTag": "x"}, "NotSupported"),
        (OcppVersion.V201, "NoSuchAction", {}, "NotImplemented"),
        (OcppVersion.V201, "Heartbeat", {}, "GenericError"),
    ],
)
async def test_errors(version: OcppVersion, action: str, payload: dict[str, Any], code: str) -> None:
    answer = await router().dispatch(call_info(version, action), frame(action, payload))
    decoded = json.loads(answer.frame)
    assert answer.is_error and decoded[0] == 4 and decoded[1] == "m1" and decoded[2] == code


async def test_a_huge_unknown_action_answers_not_implemented_without_a_traceback(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Finding #3 of the 2026-12 security review: a 60 KB action once raised ENAMETOOLONG, logged with a traceback."""
    action = "A" * 60_000
    with caplog.at_level(logging.DEBUG):
        answer = await router().dispatch(call_info(OcppVersion.V201, action), frame(action, {}))
    decoded = json.loads(answer.frame)
    assert answer.is_error and decoded[2] == "NotImplemented" and len(answer.frame) < 1_000
    assert len(caplog.records) <= 1 and all(len(r.getMessage()) < 500 and not r.exc_info for r in caplog.records)


async def test_handler_bug_answers_internal_error() -> None:
    answer = await router(broken).dispatch(call_info(OcppVersion.V201, "Heartbeat"), frame("Heartbeat", {}))
    assert json.loads(answer.frame)[:4] == [4, "m1", "InternalError", "internal error"]


async def test_invalid_response_answers_internal_error() -> None:
    answer = await router(bad_response).dispatch(call_info(OcppVersion.V201, "Heartbeat"), frame("Heartbeat", {}))
    assert json.loads(answer.frame)[2] == "InternalError"


async def test_retryable_errors_propagate() -> None:
    with pytest.raises(RetryableError):
        await router(unavailable).dispatch(call_info(OcppVersion.V201, "Heartbeat"), frame("Heartbeat", {}))


async def test_only_answers_of_routes_that_remember_them_are_to_be_remembered() -> None:
    route = Route(v16_call.Heartbeat, heartbeat_v16, remember_answer=False)
    read_only = Router({OcppVersion.V16: {"Heartbeat": route}}, lambda c, e: e)
    assert not (await read_only.dispatch(call_info(OcppVersion.V16, "Heartbeat"), frame("Heartbeat", {}))).remember
    effectful = router()
    assert (await effectful.dispatch(call_info(OcppVersion.V16, "Heartbeat"), frame("Heartbeat", {}))).remember
    error = await effectful.dispatch(call_info(OcppVersion.V201, "Heartbeat"), frame("Heartbeat", {}))
    assert error.is_error and error.remember  # the handler ran and may have changed state before it failed
    invalid = await effectful.dispatch(call_info(OcppVersion.V16, "Heartbeat"), frame("Heartbeat", {"x": 1}))
    assert invalid.is_error and not invalid.remember  # refused before any handler ran
