"""Routes a station's CALL to its handler: schema validation, typed request/response, CALLERROR mapping.

Handlers are `async (context, typed request) -> typed response`; they raise OcppCallError to answer with a
CALLERROR and RetryableError when a collaborator is temporarily unavailable (the runner retries the batch).
Any other exception is a handler bug and answers InternalError.
An OCPP 2.1 SEND (`dispatch_send`) is never answered: its handler returns nothing, and a SEND that is invalid or
whose handler fails is logged and dropped (OCPP-J 2.1: the receiver never replies to a SEND).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Generic, TypeVar

from google.protobuf.message import Message

from csms_kernel.ocpp.errors import ErrorKind, OcppCallError, RetryableError, code_for
from csms_kernel.ocpp.framing import Frame, call_error_frame, call_result_frame
from csms_kernel.ocpp.payloads import to_payload, to_request
from csms_kernel.ocpp.schemas import MessageKind, action_exists, validate
from csms_kernel.ocpp.versions import OcppVersion

log = logging.getLogger(__name__)

C = TypeVar("C")


@dataclass(frozen=True)
class CallInfo:
    """Where a CALL came from; `received_at` is the CSMS clock for the handler (deterministic on redelivery)."""

    station_id: str
    tenant: str
    ocpp_version: OcppVersion
    message_id: str
    action: str
    received_at: datetime
    edge_node_id: str
    connection_id: str


@dataclass
class Emitted:
    """Domain events a handler emitted; published with the reply in one Kafka transaction."""

    events: list[Message] = field(default_factory=list)

    def emit(self, event: Message) -> None:
        self.events.append(event)


@dataclass(frozen=True)
class Route(Generic[C]):
    """`remember_answer=False`: the handler changes nothing (it may read, but writes nothing), so a repeated
    CALL may simply be handled again and its answer need not be remembered durably; an answer that comes with
    emitted events is remembered anyway."""

    request_type: type[Any]
    handler: Callable[[C, Any], Awaitable[Any]]
    remember_answer: bool = True


RoutingTable = Mapping[str, Route[C]]


@dataclass(frozen=True)
class Answer:
    """The frame to send back (CALLRESULT or CALLERROR text) and the events to publish with it; `remember`:
    a repeat of the CALL must get this same answer (a route that remembers its answers ran, or events were
    emitted)."""

    frame: str
    is_error: bool
    events: list[Message]
    remember: bool = True


class Router(Generic[C]):
    def __init__(
        self,
        tables: Mapping[OcppVersion, RoutingTable[C]],
        make_context: Callable[[CallInfo, Emitted], C],
    ) -> None:
        self._tables = tables
        self._make_context = make_context

    def context(self, call: CallInfo) -> C:
        """The context a handler of `call` gets, with nothing emitted yet (handler unit tests use it)."""
        return self._make_context(call, Emitted())

    def actions(self, version: OcppVersion) -> frozenset[str]:
        return frozenset(self._tables.get(version, {}))

    async def dispatch(self, call: CallInfo, frame: Frame) -> Answer:
        version = call.ocpp_version
        emitted = Emitted()
        ran_remembered = False  # whether the handler of a route that remembers its answers ran
        try:
            route = self._tables.get(version, {}).get(call.action)
            if route is None:
                raise _unrouted(version, call.action)
            validate(version, call.action, MessageKind.REQUEST, frame.payload)
            request = to_request(route.request_type, frame.payload)
            ran_remembered = route.remember_answer
            response = await route.handler(self._make_context(call, emitted), request)
            payload = _checked_response(version, call.action, response)
        except RetryableError:
            raise
        except OcppCallError as exc:
            return _error(call, exc, ran_remembered)
        except Exception:
            log.exception("handler %s failed for station %s", call.action, call.station_id)
            return _error(call, OcppCallError(ErrorKind.INTERNAL_ERROR, "internal error"), ran_remembered)
        remember = ran_remembered or bool(emitted.events)
        return Answer(call_result_frame(call.message_id, payload), False, emitted.events, remember)

    async def dispatch_send(self, call: CallInfo, frame: Frame) -> list[Message]:
        """The events of a SEND's handler; none for a SEND nobody routes, that breaks its schema or whose
        handler fails (each logged). RetryableError propagates, as for a CALL."""
        emitted = Emitted()
        try:
            route = self._tables.get(call.ocpp_version, {}).get(call.action)
            if route is None:
                raise _unrouted(call.ocpp_version, call.action)
            validate(call.ocpp_version, call.action, MessageKind.SEND, frame.payload)
            await route.handler(self._make_context(call, emitted), to_request(route.request_type, frame.payload))
        except RetryableError:
            raise
        except OcppCallError as exc:
            log.warning(
                "station %s: SEND %s %s dropped (%s: %s)",
                call.station_id,
                call.action,
                call.message_id,
                exc.kind.value,
                exc.description,
            )
            return []
        except Exception:
            log.exception("SEND handler %s failed for station %s; dropped", call.action, call.station_id)
            return []
        return emitted.events


def _checked_response(version: OcppVersion, action: str, response: Any) -> dict[str, Any]:
    payload = to_payload(response)
    try:
        validate(version, action, MessageKind.RESPONSE, payload)
    except OcppCallError as exc:
        log.error("handler %s produced an invalid response: %s", action, exc.description)
        raise OcppCallError(ErrorKind.INTERNAL_ERROR, "internal error") from exc
    return payload


def _unrouted(version: OcppVersion, action: str) -> OcppCallError:
    if action_exists(version, action):
        return OcppCallError(ErrorKind.NOT_SUPPORTED, f"{action} is not supported by this CSMS")
    return OcppCallError(ErrorKind.NOT_IMPLEMENTED, f"unknown action {action!r} in {version.subprotocol}")


def _error(call: CallInfo, exc: OcppCallError, remember: bool) -> Answer:
    code = code_for(exc.kind, call.ocpp_version)
    return Answer(call_error_frame(call.message_id, code, exc.description, exc.details), True, [], remember)
