"""When a credential command's pending password or profile stays (the station may have taken it) and when it is
cancelled (the station certainly did not): never a moment in which the station holds a credential the registry
refuses."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import pytest

from csms_device_model.domain.commands.credentials import REDACTED, CredentialChange, keeps_pending, redact
from csms_device_model.domain.commands.record import CommandRecord, CommandState, Failure
from csms_kernel.ocpp.versions import OcppVersion

AT = datetime(2026, 12, 6, tzinfo=UTC)
SENT = CommandRecord("cmd-1", "CS-1", "set-password", {}, CommandState.QUEUED, OcppVersion.V201, (), 30.0, AT).sending(
    AT, OcppVersion.V201, ()
)


def accepted(index: int, payload: dict[str, Any]) -> bool | None:
    return {"Accepted": True, "Rejected": False}.get(payload["status"])


def answered(*frames: Any) -> CommandRecord:
    return SENT.answered(AT, frames, None, None)


def ok(status: str = "Accepted") -> list[Any]:
    return [3, "m", {"status": status}]


ERROR = [4, "m", "InternalError", "", {}]
PASSWORD = CredentialChange(password="new-password-0123")
PROFILE = CredentialChange(security_profile=2, commit_call=1)


@pytest.mark.parametrize(
    ("change", "record", "keeps"),
    [
        (PASSWORD, answered(ok()), True),
        (PASSWORD, answered(ok("Rejected")), False),
        (PASSWORD, answered(ERROR), False),
        (PASSWORD, answered(ok("Garbled")), True),  # cannot tell: keep
        (PASSWORD, SENT.failed(AT, Failure.TIMEOUT.text("no answer")), True),
        (PASSWORD, SENT.failed(AT, Failure.OUTCOME_UNKNOWN.text("sender stopped")), True),
        (PASSWORD, SENT.failed(AT, Failure.NOT_UNDERSTOOD.text("odd"), (ok(),)), True),
        (PASSWORD, SENT.failed(AT, Failure.OFFLINE.text("gone")), False),
        (PASSWORD, SENT.failed(AT, Failure.REFUSED.text("busy")), False),
        (PASSWORD, SENT.failed(AT, Failure.NOT_SENT.text("stopped")), False),
        (PROFILE, answered(ok(), ok(), ok("Rejected")), True),  # the priority took: a rejected reset keeps it
        (PROFILE, answered(ok(), ok(), ERROR), True),
        (PROFILE, answered(ok(), ok("Rejected")), False),
        (PROFILE, answered(ok(), ERROR), False),
        (PROFILE, answered(ok("Rejected")), False),
        (PROFILE, SENT.failed(AT, Failure.OFFLINE.text("gone"), (ok(),)), False),  # the priority never went out
        (PROFILE, SENT.failed(AT, Failure.TIMEOUT.text("no answer"), (ok(),)), True),
    ],
)
def test_the_pending_change_stays_unless_the_station_certainly_did_not_take_it(
    change: CredentialChange, record: CommandRecord, keeps: bool
) -> None:
    assert keeps_pending(change, record, accepted) is keeps


def test_secrets_are_redacted_wherever_they_are() -> None:
    value = {"a": ["x", {"b": "secret"}], "c": "secret", "d": 5, "e": "other"}
    assert redact(value, ("secret",)) == {"a": ["x", {"b": REDACTED}], "c": REDACTED, "d": 5, "e": "other"}
    assert redact(value, ()) == value
    assert replace(PASSWORD).password == "new-password-0123" and "new-password" not in repr(PASSWORD)
