"""Station credential changes on an edge node: cached verdicts forgotten, revoked connections closed (1008) and
logged as security events, and handshakes told when a revocation arrived while they verified."""

from __future__ import annotations

import logging

import pytest

from csms_edge.app.credential_changes import CredentialChanges
from csms_edge.domain.credential_changes import CredentialChange, CredentialsChanged, close_reason
from kit.fakes.edge import RecordingVerdictCache, World


class Clock:
    def __init__(self) -> None:
        self.now = 500.0

    def __call__(self) -> float:
        return self.now


def change(station_id: str, *changes: CredentialChange) -> CredentialsChanged:
    return CredentialsChanged(station_id, frozenset(changes))


def setup(remember_s: float = 120.0) -> tuple[World, RecordingVerdictCache, CredentialChanges, Clock]:
    world, cache, clock = World(), RecordingVerdictCache(), Clock()
    return world, cache, CredentialChanges(world.table, cache, remember_s=remember_s, clock=clock), clock


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ((CredentialChange.DISABLED,), "credentials revoked: disabled"),
        ((CredentialChange.DELETED,), "credentials revoked: deleted"),
        ((CredentialChange.PASSWORD_CHANGED,), "credentials revoked: password changed"),
        ((CredentialChange.SECURITY_PROFILE_CHANGED,), "credentials revoked: security profile changed"),
        (
            (CredentialChange.SECURITY_PROFILE_CHANGED, CredentialChange.ENABLED, CredentialChange.PASSWORD_CHANGED),
            "credentials revoked: password changed, security profile changed",
        ),
        ((CredentialChange.ENABLED,), None),
        ((CredentialChange.REGISTERED,), None),
        # rotation and upgrade keep the connection (the verdicts are forgotten: docs/adr/0024)
        ((CredentialChange.PENDING_CREDENTIALS_CHANGED,), None),
        ((CredentialChange.PASSWORD_ROTATED,), None),
        ((CredentialChange.SECURITY_PROFILE_UPGRADED,), None),
        ((), None),
    ],
)
def test_which_changes_close_a_connection(changes: tuple[CredentialChange, ...], reason: str | None) -> None:
    assert close_reason(change("CS-1", *changes)) == reason


async def test_a_revoking_change_forgets_the_verdicts_and_closes_the_connection(
    caplog: pytest.LogCaptureFixture,
) -> None:
    world, cache, changes, _ = setup()
    connection, socket = world.connection("CS-1")
    other, other_socket = world.connection("CS-2", connection_id="other")
    world.table.register(connection)
    world.table.register(other)
    with caplog.at_level(logging.INFO, logger="csms.security"):
        changes.apply(change("CS-1", CredentialChange.DISABLED))
    await world.table.wait_closing()
    assert cache.forgotten == ["CS-1"]
    assert socket.closed == (1008, "credentials revoked: disabled")
    assert other_socket.closed is None
    (record,) = [r for r in caplog.records if r.name == "csms.security"]
    assert record.getMessage() == (
        'security_event=connection_revoked station_id=CS-1 connection_id=c0ffee reason="credentials revoked: disabled"'
    )
    assert record.levelno == logging.WARNING


async def test_a_change_that_revokes_nothing_only_forgets_the_verdicts() -> None:
    world, cache, changes, _ = setup()
    connection, socket = world.connection("CS-1")
    world.table.register(connection)
    mark = changes.mark()
    changes.apply(change("CS-1", CredentialChange.ENABLED))
    await world.table.wait_closing()
    assert cache.forgotten == ["CS-1"] and socket.closed is None
    assert not changes.revoked_since("CS-1", mark)


async def test_a_revocation_for_a_station_not_connected_here_is_remembered_for_handshakes() -> None:
    _, cache, changes, clock = setup(remember_s=60)
    before = changes.mark()
    changes.apply(change("CS-1", CredentialChange.PASSWORD_CHANGED))
    after = changes.mark()
    assert cache.forgotten == ["CS-1"]
    assert changes.revoked_since("CS-1", before)
    assert not changes.revoked_since("CS-1", after)
    assert not changes.revoked_since("CS-2", before)
    clock.now += 61
    changes.apply(change("CS-2", CredentialChange.DELETED))  # older revocations are let go
    assert not changes.revoked_since("CS-1", before)
    assert changes.revoked_since("CS-2", before)
