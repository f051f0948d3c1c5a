"""The display message commands (OCPP 2.0.1/2.1 block O; OCPP 1.6 has none, docs/adr/0034). Pure; no I/O.

- `set-display-message`: params `id` (≥ 0; a message with the same id is replaced), `priority` (always_front,
  in_front, normal_cycle), `content`, optional `format` (utf8 by default; ascii, html, uri, 2.1 also qrcode),
  `language` (RFC 5646), `state` (charging, faulted, idle, unavailable, 2.1 also suspended, discharging; none: in
  every state), `start_at`/`end_at` (RFC 3339), `transaction_id` (shown during that transaction only), `display`
  (`{name, instance?, evse_id?, connector_id?}`: the display component). Result `{status, status_info?}`: accepted,
  not_supported_message_format, not_supported_priority, not_supported_state, unknown_transaction, rejected,
  (2.1) language_not_supported.
- `get-display-messages`: params `request_id` (from the command id unless given), optional filters `ids`,
  `priority`, `state`. Result `{status, request_id}` (accepted: NotifyDisplayMessages follow with that
  requestId; unknown: the station has no message matching).
- `clear-display-message`: param `id`. Result `{status}`: accepted, unknown (2.1 also rejected).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from csms_device_model.domain.commands.params import InvalidParams, Params
from csms_kernel.ocpp.errors import OcppCallError
from csms_kernel.ocpp.timestamps import parse_ocpp_datetime


class Priority(enum.Enum):
    ALWAYS_FRONT = "always_front"
    IN_FRONT = "in_front"
    NORMAL_CYCLE = "normal_cycle"


class MessageState(enum.Enum):
    CHARGING = "charging"
    FAULTED = "faulted"
    IDLE = "idle"
    UNAVAILABLE = "unavailable"
    SUSPENDED = "suspended"  # 2.1
    DISCHARGING = "discharging"  # 2.1


class MessageFormat(enum.Enum):
    ASCII = "ascii"
    HTML = "html"
    URI = "uri"
    UTF8 = "utf8"
    QRCODE = "qrcode"  # 2.1


@dataclass(frozen=True)
class Display:
    name: str
    instance: str | None = None
    evse_id: int | None = None
    connector_id: int | None = None


@dataclass(frozen=True)
class SetDisplayMessage:
    id: int
    priority: Priority
    content: str
    format: MessageFormat = MessageFormat.UTF8
    language: str | None = None
    state: MessageState | None = None
    start_at: datetime | None = None
    end_at: datetime | None = None
    transaction_id: str | None = None
    display: Display | None = None


@dataclass(frozen=True)
class GetDisplayMessages:
    request_id: int
    ids: tuple[int, ...] = ()
    priority: Priority | None = None
    state: MessageState | None = None

    @property
    def filtered(self) -> bool:
        """Whether the station reports only some of its messages (else its answer is everything it shows)."""
        return bool(self.ids) or self.priority is not None or self.state is not None


@dataclass(frozen=True)
class ClearDisplayMessage:
    id: int


def parse_set(raw: Any) -> SetDisplayMessage:
    params = Params(
        raw,
        (
            "id",
            "priority",
            "content",
            "format",
            "language",
            "state",
            "start_at",
            "end_at",
            "transaction_id",
            "display",
        ),
    )
    message_id = params.integer("id", required=True, minimum=0)
    priority = params.choice("priority", Priority, required=True)
    content = params.text("content", required=True)
    assert message_id is not None and priority is not None and content is not None
    start_at, end_at = _moment(params, "start_at"), _moment(params, "end_at")
    if start_at is not None and end_at is not None and end_at <= start_at:
        raise InvalidParams(params.field("end_at"), "must be after start_at")
    return SetDisplayMessage(
        id=message_id,
        priority=priority,
        content=content,
        format=params.choice("format", MessageFormat) or MessageFormat.UTF8,
        language=params.text("language"),
        state=params.choice("state", MessageState),
        start_at=start_at,
        end_at=end_at,
        transaction_id=params.text("transaction_id"),
        display=_display(params),
    )


def parse_get(raw: Any) -> GetDisplayMessages:
    params = Params(raw, ("request_id", "ids", "priority", "state"))
    request_id = params.integer("request_id", required=True, minimum=0)
    assert request_id is not None
    ids = params.items("ids") or []
    for i, value in enumerate(ids):
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise InvalidParams(f"{params.field('ids')}[{i}]", f"must be an integer of at least 0, got {value!r}")
    return GetDisplayMessages(
        request_id, tuple(ids), params.choice("priority", Priority), params.choice("state", MessageState)
    )


def parse_clear(raw: Any) -> ClearDisplayMessage:
    params = Params(raw, ("id",))
    message_id = params.integer("id", required=True, minimum=0)
    assert message_id is not None
    return ClearDisplayMessage(message_id)


def _moment(params: Params, name: str) -> datetime | None:
    value = params.text(name)
    if value is None:
        return None
    try:
        return parse_ocpp_datetime(value)
    except OcppCallError:
        raise InvalidParams(params.field(name), f"must be an RFC 3339 date-time, got {value!r}") from None


def _display(params: Params) -> Display | None:
    raw = params.value("display")
    if raw is None:
        return None
    display = Params(raw, ("name", "instance", "evse_id", "connector_id"), params.field("display"))
    name = display.text("name", required=True)
    assert name is not None
    evse_id, connector_id = display.integer("evse_id", minimum=0), display.integer("connector_id", minimum=0)
    if connector_id is not None and evse_id is None:
        raise InvalidParams(display.field("evse_id"), "is required with connector_id")
    return Display(name, display.text("instance"), evse_id, connector_id)
