"""A command's record and its states: what was asked, what was sent, what came back, and when.

    queued ──claim──▶ sent ──answer──▶ answered   (a CALLRESULT, or a CALLERROR in `call_error`)
       │                 └──────────▶ failed     (timeout, disconnect, an answer not understood, or its
       │                                          outcome unknown after the sender stopped)
       ├────────────────────────────▶ expired    (queued for an offline station past `expires_at`)
       └────────────────────────────▶ failed     (not sendable to the station's version any more, or never
                                                  sent because the instance that took it stopped)

Every change leaves the earlier fields in place, so the record at any earlier state (`at`) can be told from the
record now: its events are derived from it. `overdue` decides what time alone changes. Pure; no I/O.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from csms_kernel.ocpp.versions import OcppVersion


class CommandState(enum.Enum):
    QUEUED = "queued"
    SENT = "sent"
    ANSWERED = "answered"
    FAILED = "failed"
    EXPIRED = "expired"

    @property
    def final(self) -> bool:
        return self in (CommandState.ANSWERED, CommandState.FAILED, CommandState.EXPIRED)


class Failure(enum.Enum):
    """Why a command failed; the failure text starts with the value."""

    TIMEOUT = "timeout"
    OFFLINE = "offline"
    OUTCOME_UNKNOWN = "outcome unknown"
    NOT_SENT = "not sent"
    NOT_EXPRESSIBLE = "not expressible"
    NOT_UNDERSTOOD = "answer not understood"
    REFUSED = "refused"

    def text(self, detail: str) -> str:
        return f"{self.value}: {detail}"


@dataclass(frozen=True)
class OcppCall:
    """One CALL of a command: the action and payload as the station's version spells them."""

    action: str
    payload: dict[str, Any]

    def as_json(self) -> dict[str, Any]:
        return {"action": self.action, "payload": self.payload}


@dataclass(frozen=True)
class CallError:
    code: str
    description: str
    details_json: str = "{}"


@dataclass(frozen=True)
class CommandRecord:
    command_id: str
    station_id: str
    command: str
    params: dict[str, Any]
    state: CommandState
    ocpp_version: OcppVersion
    calls: tuple[OcppCall, ...]
    timeout_s: float
    created_at: datetime
    queue_if_offline: bool = False
    expires_at: datetime | None = None
    sent_at: datetime | None = None
    finished_at: datetime | None = None
    result: dict[str, Any] | None = None
    responses: tuple[Any, ...] = ()  # the station's CALLRESULT / CALLERROR frames
    call_error: CallError | None = None
    failure: str = ""

    @property
    def history(self) -> tuple[CommandState, ...]:
        """The states this command has been in, in order."""
        reached = [CommandState.QUEUED]
        if self.sent_at is not None:
            reached.append(CommandState.SENT)
        if self.state.final:
            reached.append(self.state)
        return tuple(reached)

    def occurred_at(self, state: CommandState) -> datetime:
        """When the command reached `state` (one of its history)."""
        if state is CommandState.QUEUED:
            return self.created_at
        at = self.sent_at if state is CommandState.SENT else self.finished_at
        if state not in self.history or at is None:
            raise ValueError(f"command {self.command_id} was never {state.value}")
        return at

    def at(self, state: CommandState) -> CommandRecord:
        """The record as it was when the command reached `state`."""
        self.occurred_at(state)
        if state.final:
            return self
        unfinished = replace(
            self, state=state, finished_at=None, result=None, responses=(), call_error=None, failure=""
        )
        return unfinished if state is CommandState.SENT else replace(unfinished, sent_at=None)

    def sending(self, at: datetime, version: OcppVersion, calls: tuple[OcppCall, ...]) -> CommandRecord:
        self._expect(CommandState.QUEUED)
        return replace(self, state=CommandState.SENT, sent_at=at, ocpp_version=version, calls=calls)

    def answered(
        self, at: datetime, responses: tuple[Any, ...], result: dict[str, Any] | None, call_error: CallError | None
    ) -> CommandRecord:
        self._expect(CommandState.SENT)
        return replace(
            self, state=CommandState.ANSWERED, finished_at=at, responses=responses, result=result, call_error=call_error
        )

    def failed(self, at: datetime, failure: str, responses: tuple[Any, ...] = ()) -> CommandRecord:
        self._expect(CommandState.QUEUED, CommandState.SENT)
        return replace(self, state=CommandState.FAILED, finished_at=at, failure=failure, responses=responses)

    def expired(self, at: datetime) -> CommandRecord:
        self._expect(CommandState.QUEUED)
        return replace(self, state=CommandState.EXPIRED, finished_at=at)

    def deadline(self) -> datetime | None:
        """When the station's answer is due (None before the command is sent)."""
        return None if self.sent_at is None else self.sent_at + timedelta(seconds=self.timeout_s)

    def _expect(self, *states: CommandState) -> None:
        if self.state not in states:
            raise ValueError(
                f"command {self.command_id} is {self.state.value}, not {'/'.join(s.value for s in states)}"
            )


def overdue(record: CommandRecord, now: datetime, grace: timedelta) -> CommandRecord | None:
    """What the passing of time alone makes of a command at `now`, or None. `grace` is how long after its
    deadline a command may still be finished by the instance sending it (that instance's own timeout fires at
    the deadline plus the edge's margin)."""
    if record.state is CommandState.QUEUED:
        if record.expires_at is not None and now >= record.expires_at:
            return record.expired(now)
        if not record.queue_if_offline and now >= record.created_at + timedelta(seconds=record.timeout_s) + grace:
            return record.failed(now, Failure.NOT_SENT.text("the device-model instance that took it stopped first"))
        return None
    deadline = record.deadline()
    if record.state is CommandState.SENT and deadline is not None and now >= deadline + grace:
        return record.failed(
            now,
            Failure.OUTCOME_UNKNOWN.text(
                "the device-model instance that sent it stopped before recording the station's answer"
            ),
        )
    return None
