"""Provisioning (docs/adr/0031): how a station's BootNotification is answered. A station's boot policy —
Accepted, Pending or Rejected, set by an operator, or the service's default for stations never set — becomes the
registration status of the answer; Pending and Rejected answers carry the retry interval (the minimum wait before
the station's next BootNotification), Accepted ones the heartbeat interval. Pure; no I/O.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass


class BootPolicy(enum.StrEnum):
    """The registration statuses of OCPP 1.6 (RegistrationStatus) and 2.x (RegistrationStatusEnumType): the
    same three values on every version."""

    ACCEPTED = "Accepted"
    PENDING = "Pending"
    REJECTED = "Rejected"


def parse_policy(value: str) -> BootPolicy:
    """The policy named `value` (case-insensitive); ValueError naming the allowed values otherwise."""
    for policy in BootPolicy:
        if value.strip().lower() == policy.value.lower():
            return policy
    allowed = ", ".join(policy.value for policy in BootPolicy)
    raise ValueError(f"boot policy must be one of {allowed}, not {value!r}")


@dataclass(frozen=True)
class BootAnswer:
    status: BootPolicy
    interval_s: int


@dataclass(frozen=True)
class BootRules:
    """The service's settings a boot answer depends on."""

    default_policy: BootPolicy
    heartbeat_interval_s: int
    retry_interval_s: int

    def answer(self, policy: BootPolicy | None) -> BootAnswer:
        """The answer to a boot of a station with this policy (None: never set, the default applies)."""
        status = policy or self.default_policy
        if status is BootPolicy.ACCEPTED:
            return BootAnswer(status, self.heartbeat_interval_s)
        return BootAnswer(status, self.retry_interval_s)


def may_receive_commands(registration_status: str | None) -> bool:
    """Whether an operator may send a connected station CALLs, by the answer its last boot got: not while Rejected
    (OCPP 2.0.1 B03.FR.03; 1.6 §4.2 "the Central System SHOULD NOT initiate any"); while Pending it may (to read
    and set its configuration, B02; 1.6 §4.2), and before any boot it may as before."""
    return registration_status != BootPolicy.REJECTED.value


def may_receive_queued(registration_status: str | None) -> bool:
    """Whether the commands queued for a connected station are delivered: once it booted and was answered
    Accepted or Pending (not before its first boot, not while Rejected)."""
    return registration_status in (BootPolicy.ACCEPTED.value, BootPolicy.PENDING.value)
