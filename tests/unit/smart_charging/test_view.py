"""A station's profile view folded from its events: accepted profiles installed (replaced by id or by EVSE,
purpose and stack level), rejected and unanswered ones not, clears removing what they match, the latest composite
schedule, reports and boots, requests merged with device-model's record of the same command."""

from __future__ import annotations

import json

from csms.device_model.v1 import device_model_pb2
from csms.smart_charging.v1 import smart_charging_pb2
from csms_smart_charging.domain.view import station_view
from csms_smart_charging.projections.view import view_entry
from kit.builders.smart_charging import STATION
from unit.smart_charging.events import outcome, profile, request, set_and_answer


def installed(*events: smart_charging_pb2.SmartChargingEvent) -> list[tuple[int, int, str, int]]:
    view = station_view(STATION, events).message()
    return [(p.evse_id, p.profile_id, p.purpose, p.stack_level) for p in view.installed]


def test_accepted_profiles_are_installed_rejected_and_pending_ones_not() -> None:
    events = [
        *set_and_answer(1, 0, 0, profile(1, "ChargingStationMaxProfile")),
        *set_and_answer(2, 10, 1, profile(2), status="rejected"),
        request(3, 20, "set-charging-profile", {"evse_id": 2, "profile": profile(3)}),
    ]
    assert installed(*events) == [(0, 1, "ChargingStationMaxProfile", 0)]
    states = [(r.request.command_id, r.state) for r in station_view(STATION, events).message().requests]
    assert states == [("cmd-1", "ANSWERED"), ("cmd-2", "ANSWERED"), ("cmd-3", "QUEUED")]


def test_a_profile_replaces_the_same_id_and_the_same_slot() -> None:
    events = [
        *set_and_answer(1, 0, 1, profile(1, stack_level=0)),
        *set_and_answer(2, 10, 1, profile(2, stack_level=1)),
        *set_and_answer(3, 20, 1, profile(1, stack_level=2, limit=10)),
        *set_and_answer(4, 30, 1, profile(5, stack_level=1)),
    ]
    assert installed(*events) == [(1, 5, "TxDefaultProfile", 1), (1, 1, "TxDefaultProfile", 2)]
    [_, second] = station_view(STATION, events).message().installed
    assert json.loads(second.profile_json)["schedules"][0]["periods"][0]["limit"] == 10


def test_an_accepted_clear_removes_what_it_matches() -> None:
    base = [
        *set_and_answer(1, 0, 0, profile(1, "ChargingStationMaxProfile")),
        *set_and_answer(2, 10, 1, profile(2)),
        *set_and_answer(3, 20, 2, profile(3)),
    ]
    by_id = [
        request(4, 30, "clear-charging-profile", {"id": 2}),
        outcome(4, 31, "clear-charging-profile", {"status": "accepted"}),
    ]
    assert [p[1] for p in installed(*base, *by_id)] == [1, 3]
    by_purpose = [
        request(4, 30, "clear-charging-profile", {"purpose": "TxDefaultProfile"}),
        outcome(4, 31, "clear-charging-profile", {"status": "accepted"}),
    ]
    assert [p[1] for p in installed(*base, *by_purpose)] == [1]
    unknown = [
        request(4, 30, "clear-charging-profile", {}),
        outcome(4, 31, "clear-charging-profile", {"status": "unknown"}),
    ]
    assert [p[1] for p in installed(*base, *unknown)] == [1, 2, 3]


def test_the_latest_answered_composite_schedule_is_kept() -> None:
    answer = {"status": "accepted", "evse_id": 1, "schedule": {"charging_rate_unit": "A", "periods": []}}
    events = [
        request(1, 0, "get-composite-schedule", {"evse_id": 1, "duration": 60}),
        outcome(1, 1, "get-composite-schedule", answer),
        request(2, 10, "get-composite-schedule", {"evse_id": 2, "duration": 60}),
        outcome(2, 11, "get-composite-schedule", state="FAILED"),
    ]
    view = station_view(STATION, events).message()
    assert json.loads(view.composite_params_json) == {"evse_id": 1, "duration": 60}
    assert json.loads(view.composite_result_json) == answer


def test_device_model_record_merges_with_the_services_request() -> None:
    ours = request(1, 0, "set-charging-profile", {"evse_id": 1, "profile": profile(1)})
    queued = view_entry(
        device_model_pb2.DeviceModelEvent(
            station_id=STATION,
            command_queued=device_model_pb2.CommandQueued(
                command=device_model_pb2.Command(
                    command_id="cmd-1", command="set-charging-profile", params_json=ours.requested.params_json
                )
            ),
        )
    )
    assert queued is not None
    for order in ([ours, queued], [queued, ours]):
        [state] = station_view(STATION, order).message().requests
        assert (state.request.request_key, state.request.origin) == (
            "key-1",
            smart_charging_pb2.REQUEST_ORIGIN_OPERATOR,
        )


def test_reinstall_takes_every_installed_profile_but_tx_profiles() -> None:
    events = [
        *set_and_answer(1, 0, 0, profile(1, "ChargingStationMaxProfile")),
        *set_and_answer(2, 10, 1, profile(2)),
        *set_and_answer(3, 20, 1, {**profile(3, "TxProfile", stack_level=1), "transaction_id": "t-1"}),
    ]
    assert [p.profile_id for p in station_view(STATION, events).to_reinstall()] == [1, 2]


def test_the_latest_report_answer_lists_the_profiles_the_station_has() -> None:
    def report(n: int, request_id: int, evse_id: int, *ids: int) -> smart_charging_pb2.SmartChargingEvent:
        payload = {
            "requestId": request_id,
            "chargingLimitSource": "CSO",
            "evseId": evse_id,
            "chargingProfile": [{"id": i} for i in ids],
        }
        return smart_charging_pb2.SmartChargingEvent(
            event_id=f"r-{n}",
            station_id=STATION,
            reported=smart_charging_pb2.StationReported(
                action="ReportChargingProfiles",
                payload_json=json.dumps(payload),
                evse_id=evse_id,
                ocpp_request_id=request_id,
            ),
        )

    first = [report(1, 5, 0, 1), report(2, 5, 1, 2, 3)]
    view = station_view(STATION, first).message()
    assert [(p.evse_id, json.loads(p.profile_json)["id"], p.charging_limit_source) for p in view.reported] == [
        (0, 1, "CSO"),
        (1, 2, "CSO"),
        (1, 3, "CSO"),
    ]
    later = station_view(STATION, [*first, report(3, 6, 1, 9)]).message()
    assert [(p.ocpp_request_id, json.loads(p.profile_json)["id"]) for p in later.reported] == [(6, 9)]
