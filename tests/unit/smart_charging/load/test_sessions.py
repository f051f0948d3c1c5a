"""Transaction events and connector statuses as load management reads them: starts, ends, draws, phase counts,
EVSEs out of service and back, cars suspending and resuming."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime

from csms.device_model.v1 import device_model_pb2
from csms.transactions.v1 import transactions_pb2
from csms_kernel.infra.envelopes import timestamp
from csms_smart_charging.load.domain.sessions import (
    Change,
    Observation,
    apply,
    calls_for_recompute,
    observe,
    observe_status,
)
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


def status(evse_id: int, connector_id: int, value: str) -> device_model_pb2.DeviceModelEvent:
    return device_model_pb2.DeviceModelEvent(
        station_id="CP-1",
        message_id="m-status",
        connector_status_changed=device_model_pb2.ConnectorStatusChanged(
            evse_id=evse_id, connector_id=connector_id, status=value
        ),
    )


def test_connector_statuses_are_observed_but_not_a_whole_charge_point_s() -> None:
    assert observe_status(status(2, 1, "Faulted")) == Observation(
        KEY, Change.STATUS, "", status="Faulted", connector_id=1
    )
    assert observe_status(status(2, 1, "SuspendedEV")) == Observation(
        KEY, Change.STATUS, "", drawn_a=0.0, status="SuspendedEV", connector_id=1
    )
    assert observe_status(status(2, 1, "Charging")).resumed  # type: ignore[union-attr]
    assert observe_status(status(0, 0, "Unavailable")) is None
    booted = device_model_pb2.DeviceModelEvent(station_id="CP-1", station_booted=device_model_pb2.StationBooted())
    assert observe_status(booted) is None


def seen(demand: Demand, evse_id: int, connector_id: int, value: str, granted: float | None = 16.0) -> Demand:
    observation = observe_status(status(evse_id, connector_id, value))
    assert observation is not None
    return apply(demand, observation, granted, 2.0)


def test_a_faulted_or_unavailable_connector_takes_the_session_out_of_service_until_it_is_in_use_again() -> None:
    charging = apply(Demand(KEY, active=False), Observation(KEY, Change.STARTED, "tx-1", connector_id=1), None, 2.0)
    assert (charging.out_of_service, charging.connector_id) == (False, 1)
    faulted = seen(charging, 2, 1, "Faulted")
    assert faulted.out_of_service and calls_for_recompute(charging, faulted)
    still = seen(faulted, 2, 1, "Unavailable")
    assert still.out_of_service and not calls_for_recompute(faulted, still)
    back = seen(faulted, 2, 1, "Charging")
    assert not back.out_of_service and calls_for_recompute(faulted, back)
    for occupied in ("Occupied", "SuspendedEVSE", "Preparing", "Finishing"):
        assert not seen(faulted, 2, 1, occupied).out_of_service
    ended = apply(faulted, Observation(KEY, Change.ENDED, "tx-1"), 0.0, 2.0)
    assert (ended.active, ended.out_of_service, ended.connector_id) == (False, False, 0)


def test_only_the_connector_in_use_counts_on_an_evse_of_several() -> None:
    on_1 = Demand(KEY, active=True, connector_id=1)
    # 2.x: the other connectors of an EVSE in use are reported Unavailable
    assert seen(on_1, 2, 2, "Unavailable") == on_1
    unknown = Demand(KEY, active=True)
    assert seen(unknown, 2, 2, "Occupied") == Demand(KEY, active=True, connector_id=2)
    assert seen(unknown, 2, 2, "Faulted").out_of_service


def test_an_idle_evse_going_out_of_service_recomputes_nothing() -> None:
    idle = Demand(KEY, active=False)
    assert not calls_for_recompute(idle, seen(idle, 2, 1, "Faulted"))


def test_a_car_suspending_is_a_draw_of_nothing_and_charging_again_lifts_its_cap() -> None:
    charging = Demand(KEY, active=True, connector_id=1)
    suspended = seen(charging, 2, 1, "SuspendedEV", granted=16.0)
    assert suspended.cap_a == 2.0 and suspended.ceiling_a == 6.0 and calls_for_recompute(charging, suspended)
    resumed = seen(suspended, 2, 1, "Charging", granted=6.0)
    assert resumed.cap_a is None and calls_for_recompute(suspended, resumed)


def test_a_2x_charging_state_change_is_a_draw_unless_a_current_is_sampled() -> None:
    def updated(state: str, trigger: str = "ChargingStateChanged", *samples: transactions_pb2.SampledValue) -> object:
        body = transactions_pb2.TransactionUpdated(
            evse_id=2, trigger_reason=trigger, charging_state=state, meter_values=samples
        )
        return observe(event(updated=body))

    assert updated("SuspendedEV") == Observation(KEY, Change.METERED, "tx-1", drawn_a=0.0)
    assert updated("Charging") == Observation(KEY, Change.METERED, "tx-1", resumed=True)
    assert updated("SuspendedEVSE") is None and updated("Charging", "MeterValuePeriodic") is None
    sampled = updated("SuspendedEV", "ChargingStateChanged", current("L1", 7.0))
    assert sampled == Observation(KEY, Change.METERED, "tx-1", drawn_a=7.0, phases=1)
    capped = Demand(KEY, active=True, cap_a=4.0)
    assert apply(capped, Observation(KEY, Change.METERED, "tx-1", resumed=True), 6.0, 2.0).cap_a is None


def test_a_status_of_an_idle_evse_caps_nothing() -> None:
    idle = Demand(KEY, active=False)
    assert seen(idle, 2, 1, "SuspendedEV", granted=16.0).cap_a is None
