"""Reservations made through device-model, whoever sent them: an answered reserve-now writes the reservation
(Accepted or Refused by the station's answer), an accepted cancel-reservation ends it Cancelled, at the command's
end time; other events and commands write nothing."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from csms.device_model.v1 import device_model_pb2 as dm
from csms.transactions.v1 import transactions_pb2 as tx
from csms_authorization.projections.active_sessions import PROJECTION
from csms_authorization.projections.reservations import reservation_writes, used_writes
from csms_kernel.infra.envelopes import timestamp
from csms_kernel.projecting.writes import Write, micros

DONE = datetime(2026, 12, 6, 15, 0, tzinfo=UTC)
EXPIRES = datetime(2026, 12, 6, 16, 0, tzinfo=UTC)
RESERVE = {"reservation_id": 7, "expires_at": "2026-12-06T16:00:00Z", "id_token": "TAG-1", "evse_id": 2}


def answered(command: str, params: dict[str, object], status: str) -> dm.DeviceModelEvent:
    return dm.DeviceModelEvent(
        command_answered=dm.CommandAnswered(
            command=dm.Command(
                station_id="CS-1",
                command=command,
                params_json=json.dumps(params),
                state=dm.COMMAND_STATE_ANSWERED,
                result_json=json.dumps({"status": status}),
                finished_at=timestamp(DONE),
            )
        )
    )


@pytest.mark.parametrize(("status", "stored"), [("accepted", "Accepted"), ("occupied", "Refused")])
def test_an_answered_reserve_now_writes_the_reservation(status: str, stored: str) -> None:
    [write] = reservation_writes(answered("reserve-now", RESERVE, status))
    assert write.params == ("CS-1", 7, "TAG-1", "Central", None, 2, None, EXPIRES, stored, micros(DONE))
    assert write.cql.startswith("INSERT INTO {ks}.reservations")


def test_an_accepted_cancel_ends_the_reservation_and_a_refused_one_writes_nothing() -> None:
    [write] = reservation_writes(answered("cancel-reservation", {"reservation_id": 7}, "accepted"))
    assert write.params == (micros(DONE), "Cancelled", "CS-1", 7)
    assert reservation_writes(answered("cancel-reservation", {"reservation_id": 7}, "rejected")) == []


def test_other_commands_and_events_write_nothing() -> None:
    assert reservation_writes(answered("reset", {"type": "hard"}, "accepted")) == []
    assert reservation_writes(dm.DeviceModelEvent(command_failed=dm.CommandFailed())) == []
    assert reservation_writes(answered("reserve-now", {"reservation_id": 7}, "accepted")) == []


def test_the_authorization_projector_maps_device_model_events() -> None:
    event = answered("reserve-now", RESERVE, "accepted")
    assert PROJECTION.writes([event], None) == reservation_writes(event)
    assert all(isinstance(w, Write) for w in PROJECTION.writes([event], None))


def test_a_session_started_on_its_reservation_uses_it() -> None:
    started = tx.TransactionEvent(
        station_id="CS-1", transaction_id="T-1", occurred_at=timestamp(DONE), started=tx.TransactionStarted(evse_id=2)
    )
    assert used_writes(started) == []
    started.started.reservation_id = 7
    assert used_writes(started) == [
        Write(
            "UPDATE {ks}.reservations USING TIMESTAMP ? SET status = ? WHERE station_id = ? AND reservation_id = ?",
            (micros(DONE), "Used", "CS-1", 7),
        )
    ]
    assert PROJECTION.writes([started], None) == used_writes(started)
