"""CALLs the edge answers itself: those whose CALLRESULT is a pure function of the frame (docs/adr/0046).

Today one action: Heartbeat (every OCPP version), answered `{"currentTime": <when the edge read it>}`; its owner
(device-model) has no effect to apply (the station's last-seen time is projected from the frame log). A CALL
whose payload violates its schema is not answered here: its owner answers the CALLERROR, as before. Pure.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import UTC, datetime

from csms_kernel.ocpp.errors import OcppCallError
from csms_kernel.ocpp.framing import Frame, MessageType, call_result_frame
from csms_kernel.ocpp.schemas import MessageKind, validate
from csms_kernel.ocpp.timestamps import ocpp_datetime
from csms_kernel.ocpp.versions import OcppVersion

HEARTBEAT = "Heartbeat"
ANSWERABLE = frozenset({HEARTBEAT})
REASON = "answered at the edge: its answer is a pure function of the frame (docs/adr/0046)"
"""The `reason` of a CALL's frame-log record the edge answered itself: its owner's call topic does not get it."""


def answer(frame: Frame, version: OcppVersion, received_at_ns: int, actions: Collection[str]) -> str | None:
    """The CALLRESULT frame for `frame` if it is a CALL of one of `actions` (⊆ `ANSWERABLE`) with a valid
    payload; None otherwise (its owner answers it)."""
    if frame.message_type is not MessageType.CALL or frame.action not in actions:
        return None
    if frame.payload:  # {} is valid in every version; anything else is checked against the schema
        try:
            validate(version, frame.action, MessageKind.REQUEST, frame.payload)
        except OcppCallError:
            return None
    moment = datetime.fromtimestamp(received_at_ns / 1e9, UTC)
    return call_result_frame(frame.message_id, {"currentTime": ocpp_datetime(moment)})
