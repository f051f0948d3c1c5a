"""Commands that change how the station logs in (`set-password`, `set-security-profile`): what they change in
the station's registration before the station is told (a pending password or security profile, docs/adr/0024:
the registry accepts the current and the pending one until the station connects with the pending one), when that
pending change is cancelled again, and how their secrets are kept out of the command record. Pure; no I/O.

The rule (docs/adr/0027): the pending value is kept whenever the station may have applied it, so there is never
a moment when the station holds a credential the registry refuses; it is cancelled only when the station
certainly did not take it: it answered the call that hands it over (or an earlier one) with a CALLERROR or a
status other than accepted, or that call was never written to the station (offline, refused, not sent).
A timeout, an answer not understood or an outcome unknown keep it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from csms_device_model.domain.commands.params import CommandRefused
from csms_device_model.domain.commands.record import CommandRecord, CommandState, Failure

REDACTED = "<redacted>"
"""What the record, its events and the API show in place of a secret (a new password)."""

_NEVER_WRITTEN = (Failure.OFFLINE, Failure.REFUSED, Failure.NOT_SENT, Failure.NOT_EXPRESSIBLE)

CALL_RESULT, CALL_ERROR = 3, 4


@dataclass(frozen=True)
class CredentialChange:
    """A pending password and/or security profile to register before the command's calls go out. `commit_call`
    is the index of the call whose acceptance lets the station use it (2.x profile upgrade: the priority change
    after SetNetworkProfile)."""

    password: str | None = field(default=None, repr=False)
    security_profile: int | None = None
    commit_call: int = 0


def check_upgrade(change: CredentialChange, station_id: str, registered: int) -> None:
    """A security profile change must raise the station's registered profile: downgrades (and no-ops) are
    refused, since a lower profile would let the station (or whoever has its password) in with less proof."""
    wanted = change.security_profile
    if wanted is not None and wanted <= registered:
        raise CommandRefused(
            f"params.security_profile: {wanted} is not an upgrade: {station_id} is registered at security profile "
            f"{registered} (downgrades are refused; an operator lowers a profile with `csms stations update`)"
        )


def keeps_pending(
    change: CredentialChange, record: CommandRecord, accepted: Callable[[int, dict[str, Any]], bool | None]
) -> bool:
    """Whether the finished command's pending change stays (see the module). `accepted(i, payload)` reads the
    CALLRESULT of call i: whether the station took it, None when that cannot be told."""
    for index, frame in enumerate(record.responses[: change.commit_call + 1]):
        if frame[0] == CALL_ERROR:
            return False
        took = accepted(index, frame[2])
        if took is None:
            return True
        if not took:
            return False
    if len(record.responses) > change.commit_call:
        return True
    if record.state is CommandState.FAILED:
        return not any(record.failure.startswith(f"{failure.value}:") for failure in _NEVER_WRITTEN)
    return True


def redact(value: Any, secrets: tuple[str, ...]) -> Any:
    """`value` (JSON) with every string that is one of `secrets` replaced by REDACTED."""
    if isinstance(value, str):
        return REDACTED if value in secrets else value
    if isinstance(value, dict):
        return {name: redact(item, secrets) for name, item in value.items()}
    if isinstance(value, list):
        return [redact(item, secrets) for item in value]
    return value
