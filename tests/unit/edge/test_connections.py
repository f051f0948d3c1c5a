"""The connection table: one current connection per station, replace-on-reconnect, lazy outbound pipe."""

from __future__ import annotations

import asyncio

import pytest

from csms_edge.app.connections import DEPARTED_TTL_S, ConnectionTable
from csms_edge.app.outbound import StationDisconnected
from kit.fakes.edge import World


async def test_register_get_unregister() -> None:
    world = World()
    connection, _ = world.connection()
    assert world.table.register(connection) is None
    assert world.table.get("CS-1") is connection
    assert world.table.get("CS-1", "c0ffee") is connection
    assert world.table.get("CS-1", "other") is None
    assert world.table.get("CS-2") is None
    assert len(world.table) == 1
    assert world.table.unregister(connection)
    assert not world.table.unregister(connection)
    assert world.table.get("CS-1") is None


async def test_new_connection_replaces_old_which_is_closed_and_failed() -> None:
    world = World()
    old, old_socket = world.connection(connection_id="old")
    new, new_socket = world.connection(connection_id="new")
    world.table.register(old)
    pipe = old.outbound(16)

    async def send() -> None:
        pass

    call = asyncio.create_task(pipe.call("m1", "Reset", 30, send))
    await asyncio.sleep(0)
    assert world.table.register(new) is old
    with pytest.raises(StationDisconnected):
        await call
    await world.table.wait_closing()
    assert old_socket.closed == (1000, "replaced by a newer connection")
    assert new_socket.closed is None
    assert world.table.get("CS-1") is new
    assert not world.table.unregister(old)  # the old session ending leaves the new one in place
    assert world.table.get("CS-1") is new


def test_outbound_pipe_is_created_lazily() -> None:
    world = World()
    connection, _ = world.connection()
    assert connection.outbound_if_any is None
    pipe = connection.outbound(16)
    assert connection.outbound(16) is pipe
    assert connection.outbound_if_any is pipe


def test_a_call_message_id_seen_among_the_last_four_calls_is_a_repeat() -> None:
    connection, _ = World().connection()
    assert [connection.saw_call(m) for m in ("a", "b", "a", "c", "d", "e")] == [False, False, True, False, False, False]
    assert connection.saw_call("b") is False  # five CALLs ago: forgotten
    assert connection.saw_call("e") is True
    other, _ = World().connection(connection_id="other")
    assert other.saw_call("a") is False  # per connection


async def test_a_call_a_replaced_connection_left_unanswered_is_what_the_next_one_may_repeat_first() -> None:
    world = World()
    old, _ = world.connection(connection_id="old")
    world.table.register(old)
    old.call_handed_over("m1")
    old.answered("m1")
    old.call_handed_over("m2")
    new, _ = world.connection(connection_id="new")
    world.table.register(new)
    assert new.repeat_of("m2") == "old"
    assert new.repeat_of("m2") == ""  # the first CALL only


async def test_nothing_is_carried_over_for_an_answered_call_or_a_first_call_with_another_id() -> None:
    world = World()
    old, _ = world.connection(connection_id="old")
    world.table.register(old)
    old.call_handed_over("m1")
    old.answered("m1")
    new, _ = world.connection(connection_id="new")
    world.table.register(new)
    assert new.repeat_of("m1") == ""
    old.call_handed_over("m2")
    newer, _ = world.connection(connection_id="newer")
    world.table.register(old)
    world.table.register(newer)
    assert newer.repeat_of("m9") == ""
    assert newer.repeat_of("m2") == ""


def test_a_connection_that_ended_leaves_its_unanswered_call_for_the_answers_lifetime() -> None:
    now = [0.0]
    table = ConnectionTable(clock=lambda: now[0])
    world = World()
    for gap_s, expected in ((DEPARTED_TTL_S - 1, "old"), (DEPARTED_TTL_S + 1, "")):
        old, _ = world.connection(connection_id="old")
        table.register(old)
        old.call_handed_over("m1")
        assert table.unregister(old)
        now[0] += gap_s
        new, _ = world.connection(connection_id="new")
        table.register(new)
        assert new.repeat_of("m1") == expected
        table.unregister(new)
