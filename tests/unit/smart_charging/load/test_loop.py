"""The recompute loop: transaction events of a site's EVSEs and limit changes recompute it."""

from __future__ import annotations

import pytest

from csms.transactions.v1 import transactions_pb2
from csms_smart_charging.load.app.loop import LoadLoop
from csms_smart_charging.load.app.manager import LoadManager
from csms_smart_charging.load.domain.site import BadSite, Demand, EvseKey, Site
from csms_smart_charging.load.domain.state import SiteState
from kit.fakes.load import RecordingPusher
from unit.smart_charging.load.test_sessions import current

A, B = EvseKey("CP-A", 1), EvseKey("CP-B", 1)


def loop_of(limit: float) -> tuple[LoadLoop, SiteState, RecordingPusher]:
    state = SiteState(Site("S", limit), demands={key: Demand(key, active=False) for key in (A, B)})
    pusher = RecordingPusher()
    return LoadLoop(LoadManager(pusher, stack_level=1, min_raise_a=0.0), 2.0), state, pusher


def started(key: EvseKey, transaction_id: str) -> transactions_pb2.TransactionEvent:
    return transactions_pb2.TransactionEvent(
        station_id=key.station_id,
        transaction_id=transaction_id,
        started=transactions_pb2.TransactionStarted(evse_id=key.evse_id),
    )


async def test_sessions_starting_and_a_lower_draw_are_followed() -> None:
    loop, state, pusher = loop_of(32.0)
    await loop.on_site_event(state, started(A, "tx-a"))
    await loop.on_site_event(state, started(B, "tx-b"))
    assert state.installed == {A: 16.0, B: 16.0}
    assert pusher.profiles[-1]["transaction_id"] == "tx-b"
    metered = transactions_pb2.TransactionEvent(
        station_id="CP-B",
        meter_values_reported=transactions_pb2.MeterValuesReported(evse_id=1, meter_values=[current("L1", 6.0)]),
    )
    result = await loop.on_site_event(state, metered)
    assert result is not None and result.complete
    assert state.installed == {A: 24.0, B: 8.0}
    assert [entry for entry in pusher.log[-4:] if entry[0] == "sent"] == [("sent", "CP-B", 8.0), ("sent", "CP-A", 24.0)]
    assert state.transactions == {A: "tx-a", B: "tx-b"}


async def test_an_evse_on_no_site_and_a_repeated_start_change_nothing() -> None:
    loop, state, pusher = loop_of(32.0)
    assert await loop.on_site_event(state, started(EvseKey("ELSEWHERE", 1), "tx-x")) is None
    await loop.on_site_event(state, started(A, "tx-a"))
    sent = len(pusher.keys)
    assert await loop.on_site_event(state, started(A, "tx-a")) is None
    assert len(pusher.keys) == sent


async def test_an_external_limit_is_followed_and_bad_limits_are_refused() -> None:
    loop, state, _ = loop_of(32.0)
    await loop.on_site_event(state, started(A, "tx-a"))
    result = await loop.set_limit(state, 10.0)
    assert result.complete and state.installed == {A: 10.0}
    paused = await loop.set_limit(state, 5.0)
    assert paused.allocation.paused == (A,) and state.installed == {A: 0.0}
    with pytest.raises(BadSite, match="site S: limit"):
        await loop.set_limit(state, -1.0)
    assert state.site.limit == 5.0
