"""What load management reads from csms.transactions.events.v1: a session started or ended on an EVSE, and what
it draws (Current.Import per phase: the highest phase and how many phases carry current; a 2.x chargingState
SuspendedEV is a draw of nothing, Charging lifts the cap), and from csms.device_model.events.v1 the status of its
connectors (Faulted or Unavailable: out of service; 1.6 SuspendedEV: a draw of nothing, Charging: the cap
lifted), and whether that calls for a recompute (a start, an end, a change of phase count, a session going out
of service or back, or a draw clearly below the grant). Pure."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum

from csms.device_model.v1 import device_model_pb2
from csms.transactions.v1 import transactions_pb2
from csms_smart_charging.load.domain.site import MAX_PHASES, Demand, EvseKey, demand_cap

CURRENT = "Current.Import"
PHASE_CARRYING_A = 1.0
CAP_STEP_A = 1.0
OUT_OF_SERVICE = frozenset({"Faulted", "Unavailable"})
"""Connector statuses under which an EVSE delivers nothing (1.6 and 2.x)."""
IN_USE = frozenset({"Occupied", "Preparing", "Charging", "SuspendedEV", "SuspendedEVSE", "Finishing"})
"""Connector statuses of a connector in use (2.x Occupied; the 1.6 ones a session goes through)."""
SUSPENDED_BY_EV = "SuspendedEV"
CHARGING = "Charging"
CHARGING_STATE_CHANGED = "ChargingStateChanged"


class Change(StrEnum):
    STARTED = "started"
    ENDED = "ended"
    METERED = "metered"
    STATUS = "status"


@dataclass(frozen=True, slots=True)
class Observation:
    """`drawn_a`: what the car draws (0 for a car that suspended); `resumed`: the car charges again (a cap is
    lifted); `status` and `connector_id`: a connector's status (STATUS), or the connector a session started on."""

    key: EvseKey
    change: Change
    transaction_id: str
    drawn_a: float | None = None
    phases: int | None = None
    status: str = ""
    connector_id: int = 0
    resumed: bool = False


def observe(event: transactions_pb2.TransactionEvent) -> Observation | None:
    """The observation in a transaction event; None for one load management does not use."""
    kind = event.WhichOneof("event")
    if kind is None:
        return None
    body = getattr(event, kind)
    key = EvseKey(event.station_id, body.evse_id)
    change = {"started": Change.STARTED, "ended": Change.ENDED}.get(kind, Change.METERED)
    drawn, phases = _draw(body.meter_values)
    connector_id = body.connector_id if change is Change.STARTED else 0
    resumed = False
    if change is Change.METERED and drawn is None:
        # A 2.x chargingState change without a current sample: the car suspended (draws nothing) or resumed.
        state = body.charging_state if body.trigger_reason == CHARGING_STATE_CHANGED else ""
        if state == SUSPENDED_BY_EV:
            drawn = 0.0
        elif state == CHARGING:
            resumed = True
        else:
            return None
    return Observation(key, change, event.transaction_id, drawn, phases, connector_id=connector_id, resumed=resumed)


def observe_status(event: device_model_pb2.DeviceModelEvent) -> Observation | None:
    """The status of an EVSE's connector in a device-model event; None for other events and for the status of a
    whole 1.6 charge point (connector 0: each connector reports its own)."""
    if event.WhichOneof("event") != "connector_status_changed":
        return None
    changed = event.connector_status_changed
    if changed.evse_id <= 0:
        return None
    key = EvseKey(event.station_id, changed.evse_id)
    drawn = 0.0 if changed.status == SUSPENDED_BY_EV else None
    return Observation(
        key,
        Change.STATUS,
        "",
        drawn_a=drawn,
        status=changed.status,
        connector_id=changed.connector_id,
        resumed=changed.status == CHARGING,
    )


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
        return dataclasses.replace(demand, active=False, cap_a=None, out_of_service=False, connector_id=0)
    if observation.change is Change.STARTED:
        return dataclasses.replace(
            demand,
            active=True,
            cap_a=None,
            phases=observation.phases or demand.phases,
            out_of_service=False,
            connector_id=observation.connector_id,
        )
    if observation.change is Change.STATUS:
        demand = _with_status(demand, observation.status, observation.connector_id)
        if not demand.active or (observation.drawn_a is None and not observation.resumed):
            return demand
    if observation.resumed and observation.drawn_a is None:
        return dataclasses.replace(demand, cap_a=None)
    return dataclasses.replace(
        demand,
        cap_a=demand_cap(granted_a, observation.drawn_a, headroom_a),
        phases=observation.phases or demand.phases,
    )


def _with_status(demand: Demand, status: str, connector_id: int) -> Demand:
    """The EVSE after a status of one of its connectors. Only the connector in use counts (unknown: any): a 2.x
    station reports the other connectors of an EVSE in use Unavailable."""
    in_use = demand.connector_id in (0, connector_id)
    if status in IN_USE:
        return dataclasses.replace(demand, out_of_service=False, connector_id=connector_id)
    if not in_use:
        return demand
    return dataclasses.replace(demand, out_of_service=status in OUT_OF_SERVICE, connector_id=connector_id)


def calls_for_recompute(before: Demand, after: Demand) -> bool:
    """A start, an end, a change of phase count, a session going out of service or back, or a cap a draw puts on
    the EVSE (set, lifted, or moved by `CAP_STEP_A` or more: a draw wobbling by a few tenths does not recompute
    the site)."""
    if (before.active, before.phases) != (after.active, after.phases):
        return True
    if after.active and before.out_of_service != after.out_of_service:
        return True
    if before.cap_a is None or after.cap_a is None:
        return before.cap_a != after.cap_a
    return abs(before.cap_a - after.cap_a) >= CAP_STEP_A
