"""`csms projections rebuild NAME`: the declaration and state step of each projection, settings from the
environment, exit codes (the kernel rebuild and Cassandra are fakes)."""

from __future__ import annotations

from typing import Any

import pytest

from csms_authorization.projections import active_sessions, reservation_use
from csms_cli.main import run
from csms_device_model.projections import stations
from csms_kernel.infra import cassandra
from csms_kernel.infra.client_security import CassandraSecurity, KafkaSecurity
from csms_kernel.projecting import rebuild as rebuilding
from csms_kernel.projecting.rebuild import Rebuilt
from csms_transactions.projections import transactions


class FakeSession:
    closed = False

    async def close(self) -> None:
        self.closed = True


@pytest.fixture
def fakes(monkeypatch: pytest.MonkeyPatch) -> tuple[FakeSession, list[tuple[Any, ...]]]:
    session = FakeSession()
    calls: list[tuple[Any, ...]] = []

    async def connect(*args: Any, **kwargs: Any) -> FakeSession:
        calls.append(("connect", *args, kwargs))
        return session

    async def rebuild(projection: Any, **kwargs: Any) -> Rebuilt:
        calls.append(("rebuild", projection, kwargs))
        if projection is transactions.PROJECTION and kwargs["kafka_bootstrap"] == "down.test:9092":
            raise ValueError("cannot rebuild from missing topics ['csms.transactions.events.v1']")
        return Rebuilt(42, {})

    monkeypatch.setattr(cassandra, "connect", connect)
    monkeypatch.setattr(rebuilding, "rebuild", rebuild)
    monkeypatch.setenv("CSMS_KAFKA_BOOTSTRAP", "kafka.test:9092")
    monkeypatch.setenv("CSMS_CASSANDRA_CONTACT_POINTS", "c1.test")
    monkeypatch.setenv("CSMS_CASSANDRA_PORT", "9142")
    monkeypatch.setenv("CSMS_CASSANDRA_LOCAL_DC", "dc-test")
    return session, calls


@pytest.mark.parametrize(
    ("name", "projection"),
    [
        ("transactions.projector.transactions", transactions.PROJECTION),
        ("authorization.projector.active_sessions", active_sessions.PROJECTION),
    ],
)
def test_a_pure_projection_is_rebuilt_in_its_own_group_and_keyspace(
    fakes: tuple[FakeSession, list[tuple[Any, ...]]], capsys: pytest.CaptureFixture[str], name: str, projection: Any
) -> None:
    session, calls = fakes
    assert run(["projections", "rebuild", name]) == 0
    assert calls == [
        ("connect", ["c1.test"], 9142, "dc-test", None, {"security": CassandraSecurity()}),
        (
            "rebuild",
            projection,
            {
                "kafka_bootstrap": "kafka.test:9092",
                "kafka_security": KafkaSecurity(),
                "session": session,
                "state": None,
            },
        ),
    ]
    assert session.closed
    assert capsys.readouterr().out == f"rebuilt {name} from 42 records\n"


def test_the_stations_projection_is_rebuilt_with_its_presence_step(
    fakes: tuple[FakeSession, list[tuple[Any, ...]]],
) -> None:
    _, calls = fakes
    assert run(["projections", "rebuild", "device_model.projector.stations"]) == 0
    [_, (_, projection, kwargs)] = calls
    assert projection is stations.PROJECTION
    assert isinstance(kwargs["state"], stations.StationsState)


def test_the_reservation_use_projection_is_rebuilt_with_its_read(
    fakes: tuple[FakeSession, list[tuple[Any, ...]]],
) -> None:
    _, calls = fakes
    assert run(["projections", "rebuild", "authorization.projector.reservation_use"]) == 0
    [_, (_, projection, kwargs)] = calls
    assert projection is reservation_use.PROJECTION
    assert isinstance(kwargs["state"], reservation_use.ReservationsRead)


def test_a_failed_rebuild_exits_1_with_the_reason(
    fakes: tuple[FakeSession, list[tuple[Any, ...]]],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    session, _ = fakes
    monkeypatch.setenv("CSMS_KAFKA_BOOTSTRAP", "down.test:9092")
    assert run(["projections", "rebuild", "transactions.projector.transactions"]) == 1
    assert capsys.readouterr() == (
        "",
        "error: rebuilding transactions.projector.transactions failed:"
        " ValueError(\"cannot rebuild from missing topics ['csms.transactions.events.v1']\")\n",
    )
    assert session.closed


def test_an_unknown_projection_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["projections", "rebuild", "billing.projector.invoices"]) == 4
    assert "argument NAME: invalid choice: 'billing.projector.invoices'" in capsys.readouterr().err
