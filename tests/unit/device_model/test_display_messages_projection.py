"""The display messages read model: reports and accepted set-display-message commands write a message, cleared ones
delete it, an unfiltered get-display-messages forgets the station's messages from when it was sent; each at the time
of its fact (USING TIMESTAMP), so any order converges."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from csms.device_model.v1 import device_model_pb2 as dm
from csms_device_model.projections import device, display_messages
from csms_kernel.infra.envelopes import timestamp
from csms_kernel.projecting.writes import Write, micros

SENT = datetime(2026, 12, 6, 10, 0, 0, tzinfo=UTC)
ANSWERED = datetime(2026, 12, 6, 10, 0, 1, tzinfo=UTC)
REPORTED = datetime(2026, 12, 6, 10, 0, 2, tzinfo=UTC)


def answered(command: str, params: dict[str, Any], result: dict[str, Any] | None) -> dm.DeviceModelEvent:
    record = dm.Command(
        command_id="cmd-1",
        station_id="CS-1",
        command=command,
        params_json=json.dumps(params),
        result_json=json.dumps(result) if result is not None else "",
        sent_at=timestamp(SENT),
        finished_at=timestamp(ANSWERED),
    )
    return dm.DeviceModelEvent(station_id="CS-1", command_answered=dm.CommandAnswered(command=record))


def row(message_id: int, **values: Any) -> tuple[object, ...]:
    columns: dict[str, Any] = {
        "priority": "normal_cycle",
        "state": None,
        "start_at": None,
        "end_at": None,
        "transaction_id": None,
        "format": "utf8",
        "language": None,
        "content": "",
        "display_name": None,
        "display_instance": None,
        "display_evse_id": None,
        "display_connector_id": None,
        "source": "",
        "updated_at": None,
    }
    columns.update(values)
    return ("CS-1", message_id, *columns.values(), micros(columns["updated_at"]))


def test_a_report_writes_each_message_at_the_reports_time() -> None:
    message = dm.DisplayMessage(
        id=3,
        priority="in_front",
        state="charging",
        format="html",
        content="<b>Hi</b>",
        language="en",
        end_at=timestamp(datetime(2026, 12, 7, tzinfo=UTC)),
        display_name="Display",
        display_evse_id=1,
    )
    event = dm.DeviceModelEvent(
        station_id="CS-1",
        occurred_at=timestamp(REPORTED),
        display_messages_reported=dm.DisplayMessagesReported(request_id=9, messages=[message]),
    )
    assert device.writes([event], None) == [
        Write(
            display_messages.UPSERT,
            row(
                3,
                priority="in_front",
                state="charging",
                end_at=datetime(2026, 12, 7, tzinfo=UTC),
                format="html",
                language="en",
                content="<b>Hi</b>",
                display_name="Display",
                display_evse_id=1,
                source="report 9",
                updated_at=REPORTED,
            ),
        )
    ]


def test_an_accepted_set_writes_the_message_at_the_answers_time() -> None:
    params = {"id": 7, "priority": "always_front", "content": "Hallo", "start_at": "2026-12-06T09:00:00Z"}
    assert device.writes([answered("set-display-message", params, {"status": "accepted"})], None) == [
        Write(
            display_messages.UPSERT,
            row(
                7,
                priority="always_front",
                content="Hallo",
                start_at=datetime(2026, 12, 6, 9, tzinfo=UTC),
                source="command cmd-1",
                updated_at=ANSWERED,
            ),
        )
    ]


def test_a_refused_set_or_a_callerror_writes_nothing() -> None:
    params = {"id": 7, "priority": "always_front", "content": "Hallo"}
    assert device.writes([answered("set-display-message", params, {"status": "not_supported_priority"})], None) == []
    assert device.writes([answered("set-display-message", params, None)], None) == []


def test_a_clear_accepted_or_unknown_deletes_the_message() -> None:
    for status in ("accepted", "unknown"):
        assert device.writes([answered("clear-display-message", {"id": 4}, {"status": status})], None) == [
            Write(display_messages.REMOVE, (micros(ANSWERED), "CS-1", 4))
        ]
    assert device.writes([answered("clear-display-message", {"id": 4}, {"status": "rejected"})], None) == []


def test_an_unfiltered_get_forgets_what_was_there_before_it_was_sent() -> None:
    for status in ("accepted", "unknown"):
        result = {"status": status, "request_id": 5}
        assert device.writes([answered("get-display-messages", {"request_id": 5}, result)], None) == [
            Write(display_messages.REMOVE_ALL, (micros(SENT), "CS-1"))
        ]


def test_a_filtered_get_forgets_nothing() -> None:
    params = {"request_id": 5, "priority": "in_front"}
    assert (
        device.writes([answered("get-display-messages", params, {"status": "accepted", "request_id": 5})], None) == []
    )


def test_other_commands_and_unparseable_params_write_nothing() -> None:
    assert device.writes([answered("reset", {"type": "hard"}, {"status": "accepted"})], None) == []
    assert device.writes([answered("set-display-message", {"id": "x"}, {"status": "accepted"})], None) == []
