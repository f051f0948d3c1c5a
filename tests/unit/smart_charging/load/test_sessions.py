"""Transaction events as load management reads them: starts, ends, draws and phase counts."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime

from csms.transactions.v1 import transactions_pb2
from csms_kernel.infra.envelopes import timestamp
from csms_smart_charging.load.domain.sessions import Change, Observation, apply, calls_for_recompute, observe
from csms_smart_charging.load.domain.site import Demand, EvseKey

AT = datetime(2026, 12, 6, 12, 0, tzinfo=UTC)
KEY = EvseKey("CP-1", 2)


def current(phase: str, value: float, at: datetime = AT) -> transactions_pb2.SampledValue:
    return transactions_pb2.SampledValue(
        sampled_at=timestamp(at), measurand="Current.Import", phase=phase, value=value, unit="A"
    )


def event(**body: object) -> transactions_pb2.TransactionEvent:
    return transactions_pb2.TransactionEvent(station_id="CP-1", transaction_id="tx-1", **body)  # type: ignore[arg-type]


def test_a_start_an_end_and_meter_values_are_observed() -> None:
    started = event(started=transactions_pb2.TransactionStarted(evse_id=2))
    assert observe(started) == Observation(KEY, Change.STARTED, "tx-1")
    ended = event(ended=transactions_pb2.TransactionEnded(evse_id=2))
    assert observe(ended) == Observation(KEY, Change.ENDED, "tx-1")
    older = datetime(2026, 12, 6, 11, 59, tzinfo=UTC)
    metered = event(
        meter_values_reported=transactions_pb2.MeterValuesReported(
            evse_id=2,
            meter_values=[current("L1", 30.0, older), current("L1", 9.5), current("L2", 9.8), current("L3", 0.2)],
        )
    )
    assert observe(metered) == Observation(KEY, Change.METERED, "tx-1", drawn_a=9.8, phases=2)


def test_events_without_current_are_not_observed() -> None:
    energy = transactions_pb2.SampledValue(measurand="Energy.Active.Import.Register", value=5.0, unit="Wh")
    assert observe(event(updated=transactions_pb2.TransactionUpdated(evse_id=2, meter_values=[energy]))) is None
    assert observe(event()) is None


def test_a_lower_draw_caps_the_evse_and_a_wobble_does_not_recompute() -> None:
    configured = Demand(KEY, active=True, phases=3)
    drawing = apply(configured, Observation(KEY, Change.METERED, "tx-1", drawn_a=10.0, phases=1), 32.0, 2.0)
    assert (drawing.cap_a, drawing.phases) == (12.0, 1)
    assert calls_for_recompute(configured, drawing)
    wobble = apply(drawing, Observation(KEY, Change.METERED, "tx-1", drawn_a=10.4, phases=1), 32.0, 2.0)
    assert not calls_for_recompute(drawing, wobble)
    full = apply(drawing, Observation(KEY, Change.METERED, "tx-1", drawn_a=11.9, phases=1), 12.0, 2.0)
    assert full.cap_a is None and calls_for_recompute(drawing, full)


def test_an_end_makes_the_evse_idle_and_a_start_active() -> None:
    idle = dataclasses.replace(Demand(KEY, active=True, cap_a=8.0), active=False)
    started = apply(idle, Observation(KEY, Change.STARTED, "tx-2"), None, 2.0)
    assert started.active and started.cap_a is None
    ended = apply(started, Observation(KEY, Change.ENDED, "tx-2"), 16.0, 2.0)
    assert not ended.active and calls_for_recompute(started, ended)
