"""The order in which new limits reach the stations, so a site stays within its limit while they travel: every
lowered limit (a pause included) first, and only once all of them are acknowledged the raised ones. During the
first phase each EVSE is at its old limit or a lower one; during the second at most at its new one. Pure."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass

from csms_smart_charging.load.domain.allocator import Allocation, GrantState
from csms_smart_charging.load.domain.site import EvseKey

_EPSILON = 1e-9


@dataclass(frozen=True, slots=True)
class Push:
    """A TxProfile limit for one charging (or paused) EVSE; `previous_a` is what it is believed to enforce."""

    key: EvseKey
    limit_a: float
    phases: int
    previous_a: float


@dataclass(frozen=True, slots=True)
class PushPlan:
    lowers: tuple[Push, ...]
    raises: tuple[Push, ...]

    def __bool__(self) -> bool:
        return bool(self.lowers or self.raises)


def plan_pushes(
    installed: Mapping[EvseKey, float],
    allocation: Allocation,
    min_raise_a: float = 0.0,
    unconfirmed: Collection[EvseKey] = (),
) -> PushPlan:
    """The pushes from `installed` (the limit each EVSE enforces now; an EVSE missing from it enforces the
    site's idle limit, its TxDefaultProfile) to `allocation`. Idle EVSEs get nothing: their session's TxProfile
    ended with it. A raise smaller than `min_raise_a` is left for later (fewer messages when draws wobble); a
    lower, however small, is always sent (the station would otherwise keep more than its share). An
    `unconfirmed` limit (sent without an answer: the EVSE may enforce it or its previous one) that the allocation
    keeps is sent again with the raises (it may be a raise; the site's sums count it already)."""
    lowers: list[Push] = []
    raises: list[Push] = []
    for key in sorted(allocation.grants):
        grant = allocation.grants[key]
        if grant.state is GrantState.IDLE:
            continue
        previous = installed.get(key, allocation.site.idle_limit_a)
        push = Push(key, grant.limit_a, grant.phases, previous)
        if grant.limit_a < previous - _EPSILON:
            lowers.append(push)
        elif (
            grant.limit_a > previous + max(_EPSILON, min_raise_a)
            or (key not in installed and grant.limit_a)
            or key in unconfirmed
        ):
            raises.append(push)
    return PushPlan(tuple(lowers), tuple(raises))
