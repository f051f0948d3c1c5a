"""What load management reads from csms.transactions.events.v1: a session started or ended on an EVSE, and what
it draws (Current.Import per phase: the highest phase and how many phases carry current), and whether that
calls for a recompute (a start, an end, a change of phase count, or a draw clearly below the grant). Pure."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum

from csms.transactions.v1 import transactions_pb2
from csms_smart_charging.load.domain.site import MAX_PHASES, Demand, EvseKey, demand_cap

CURRENT = "Current.Import"
PHASE_CARRYING_A = 1.0
CAP_STEP_A = 1.0


class Change(StrEnum):
    STARTED = "started"
    ENDED = "ended"
    METERED = "metered"


@dataclass(frozen=True, slots=True)
class Observation:
    key: EvseKey
    change: Change
    transaction_id: str
    drawn_a: float | None = None
    phases: int | None = None


def observe(event: transactions_pb2.TransactionEvent) -> Observation | None:
    """The observation in a transaction event; None for one load management does not use."""
    kind = event.WhichOneof("event")
    if kind is None:
        return None
    body = getattr(event, kind)
    key = EvseKey(event.station_id, body.evse_id)
    change = {"started": Change.STARTED, "ended": Change.ENDED}.get(kind, Change.METERED)
    drawn, phases = _draw(body.meter_values)
    if change is Change.METERED and drawn is None:
        return None
    return Observation(key, change, event.transaction_id, drawn, phases)


def on_evse(observation: Observation, transactions: Mapping[EvseKey, str]) -> Observation:
    """The observation on the EVSE of its transaction when the event named none (EVSE 0: a 1.6 StopTransaction
    has no connector, a 2.x TransactionEvent may omit its evse after Started); unchanged otherwise."""
    if observation.key.evse_id != 0 or not observation.transaction_id:
        return observation
    for key, transaction_id in transactions.items():
        if key.station_id == observation.key.station_id and transaction_id == observation.transaction_id:
            return dataclasses.replace(observation, key=key)
    return observation


def _draw(samples: Iterable[transactions_pb2.SampledValue]) -> tuple[float | None, int | None]:
    """The highest Current.Import of the latest sample time, and the phases carrying current (L1, L2, L3)."""
    currents = [s for s in samples if s.measurand == CURRENT and s.HasField("value") and s.unit in ("A", "")]
    if not currents:
        return None, None
    latest = max(s.sampled_at.ToNanoseconds() for s in currents)
    now = [s for s in currents if s.sampled_at.ToNanoseconds() == latest]
    per_phase = [s for s in now if s.phase.startswith("L") and len(s.phase) == 2]
    drawn = max(s.value for s in now)
    if not per_phase:
        return drawn, None
    carrying = {s.phase for s in per_phase if s.value >= PHASE_CARRYING_A}
    return drawn, max(1, min(MAX_PHASES, len(carrying)))


def apply(demand: Demand, observation: Observation, granted_a: float | None, headroom_a: float) -> Demand:
    """The EVSE's demand after the observation (`demand`: its configured one; `granted_a`: its limit now)."""
    if observation.change is Change.ENDED:
        return dataclasses.replace(demand, active=False, cap_a=None)
    if observation.change is Change.STARTED:
        return dataclasses.replace(demand, active=True, cap_a=None, phases=observation.phases or demand.phases)
    return dataclasses.replace(
        demand,
        cap_a=demand_cap(granted_a, observation.drawn_a, headroom_a),
        phases=observation.phases or demand.phases,
    )


def calls_for_recompute(before: Demand, after: Demand) -> bool:
    """A start, an end, a change of phase count, or a cap a draw puts on the EVSE (set, lifted, or moved by
    `CAP_STEP_A` or more: a draw wobbling by a few tenths does not recompute the site)."""
    if (before.active, before.phases) != (after.active, after.phases):
        return True
    if before.cap_a is None or after.cap_a is None:
        return before.cap_a != after.cap_a
    return abs(before.cap_a - after.cap_a) >= CAP_STEP_A
