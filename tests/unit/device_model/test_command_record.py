"""The command record's states: the changes each state allows, the history the record shows, the record as it
was in an earlier state (what its events carry), and what time alone decides."""

from __future__ import annotations

from datetime import timedelta

import pytest

from csms_device_model.domain.commands.record import CallError, CommandState, overdue
from kit.builders.device_model import NOW, a_command

QUEUED = a_command()
SENT = QUEUED.sending(NOW + timedelta(seconds=1), QUEUED.ocpp_version, QUEUED.calls)
ANSWERED = SENT.answered(NOW + timedelta(seconds=2), ([3, "m", {"status": "Accepted"}],), {"status": "accepted"}, None)
GRACE = timedelta(seconds=15)


def test_histories() -> None:
    assert QUEUED.history == (CommandState.QUEUED,)
    assert SENT.history == (CommandState.QUEUED, CommandState.SENT)
    assert ANSWERED.history == (CommandState.QUEUED, CommandState.SENT, CommandState.ANSWERED)
    assert QUEUED.expired(NOW).history == (CommandState.QUEUED, CommandState.EXPIRED)
    assert QUEUED.failed(NOW, "not sent: x").history == (CommandState.QUEUED, CommandState.FAILED)
    assert SENT.failed(NOW, "timeout: x").history == (CommandState.QUEUED, CommandState.SENT, CommandState.FAILED)


def test_the_record_as_it_was_in_each_state_it_reached() -> None:
    assert ANSWERED.at(CommandState.QUEUED) == QUEUED
    assert ANSWERED.at(CommandState.SENT) == SENT
    assert ANSWERED.at(CommandState.ANSWERED) == ANSWERED
    assert [ANSWERED.occurred_at(s) for s in ANSWERED.history] == [NOW, SENT.sent_at, ANSWERED.finished_at]
    with pytest.raises(ValueError, match="was never expired"):
        ANSWERED.at(CommandState.EXPIRED)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda: SENT.sending(NOW, SENT.ocpp_version, SENT.calls), "is sent, not queued"),
        (lambda: QUEUED.answered(NOW, (), None, CallError("X", "")), "is queued, not sent"),
        (lambda: SENT.expired(NOW), "is sent, not queued"),
        (lambda: ANSWERED.failed(NOW, "x"), "is answered, not queued/sent"),
    ],
)
def test_changes_a_state_does_not_allow(change: object, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        change()  # type: ignore[operator]


def test_a_queued_command_expires_at_its_expiry() -> None:
    kept = a_command(queue_if_offline=True, expires_at=NOW + timedelta(hours=1))
    assert overdue(kept, NOW + timedelta(minutes=59), GRACE) is None
    assert overdue(kept, NOW + timedelta(hours=1), GRACE) == kept.expired(NOW + timedelta(hours=1))


def test_a_command_nobody_sent_fails_after_its_timeout_and_the_grace() -> None:
    assert overdue(QUEUED, NOW + timedelta(seconds=44), GRACE) is None
    failed = overdue(QUEUED, NOW + timedelta(seconds=45), GRACE)
    assert failed is not None and failed.failure == "not sent: the device-model instance that took it stopped first"


def test_a_sent_command_without_an_outcome_fails_as_unknown_after_its_deadline_and_the_grace() -> None:
    assert overdue(SENT, NOW + timedelta(seconds=45), GRACE) is None
    failed = overdue(SENT, NOW + timedelta(seconds=46), GRACE)
    assert failed is not None and failed.state is CommandState.FAILED
    assert failed.failure.startswith("outcome unknown: ")
    assert overdue(ANSWERED, NOW + timedelta(days=1), GRACE) is None
