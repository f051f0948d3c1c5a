"""The `AnsweredCalls` contract (csms_kernel.handling.answered_calls), run against the in-memory fake (unit) and
the Cassandra table of a service (integration). A subclass provides the `answered` fixture; keys carry a
station id of their own so the suite can share a real table with other tests."""

from __future__ import annotations

import asyncio
import uuid

from csms_kernel.handling.answered_calls import AnsweredCall, AnsweredCalls, LatestAnswer, frame_digest

REPLY = '[3,"m-1",{"currentTime":"2026-01-02T03:04:05Z","note":"été"}]'
ERROR = '[4,"m-1","FormatViolation","Payload is syntactically incorrect",{}]'


def a_station() -> str:
    return f"CS-{uuid.uuid4().hex[:12]}"


class AnsweredCallsContract:
    async def test_a_call_never_answered_is_none(self, answered: AnsweredCalls) -> None:
        assert await answered.get(a_station(), "conn-1", "m-1") is None

    async def test_an_answer_reads_back_equal(self, answered: AnsweredCalls) -> None:
        station = a_station()
        result = AnsweredCall("3:1041", frame_digest(b'[2,"m-1","Heartbeat",{}]'), REPLY, False)
        error = AnsweredCall("0:7", frame_digest(b'[2,"m-2","Heartbeat",'), ERROR, True)
        await answered.put(station, "conn-1", "m-1", result)
        await answered.put(station, "conn-1", "m-2", error)
        assert (await answered.get(station, "conn-1", "m-1"), await answered.get(station, "conn-1", "m-2")) == (
            result,
            error,
        )

    async def test_station_connection_and_message_id_each_tell_calls_apart(self, answered: AnsweredCalls) -> None:
        station, other = a_station(), a_station()
        answer = AnsweredCall("1:2", frame_digest(b"frame"), REPLY, False)
        await answered.put(station, "conn-1", "m-1", answer)
        assert [
            await answered.get(station, "conn-1", "m-1"),
            await answered.get(other, "conn-1", "m-1"),
            await answered.get(station, "conn-2", "m-1"),
            await answered.get(station, "conn-1", "m-2"),
        ] == [answer, None, None, None]

    async def test_an_answer_put_again_replaces_the_whole_answer(self, answered: AnsweredCalls) -> None:
        station = a_station()
        await answered.put(station, "conn-1", "m-1", AnsweredCall("1:2", frame_digest(b"one"), REPLY, False))
        again = AnsweredCall("1:9", frame_digest(b"two"), ERROR, True)
        await answered.put(station, "conn-1", "m-1", again)
        assert await answered.get(station, "conn-1", "m-1") == again

    async def test_answers_put_together_are_each_kept(self, answered: AnsweredCalls) -> None:
        """The call runner answers a batch's stations concurrently (the Cassandra adapter writes them together)."""
        stations = [a_station() for _ in range(25)]
        answers = {
            (station, f"m-{n}"): AnsweredCall(f"0:{n}", frame_digest(station.encode()), REPLY, n % 2 == 0)
            for station in stations
            for n in range(2)
        }
        await asyncio.gather(*(answered.put(station, "c", m, answer) for (station, m), answer in answers.items()))
        found = await asyncio.gather(*(answered.get(station, "c", m) for station, m in answers))
        assert found == list(answers.values())

    async def test_the_latest_answer_is_the_one_put_last_on_any_connection(self, answered: AnsweredCalls) -> None:
        station, other = a_station(), a_station()
        assert await answered.latest(station) is None
        first, second, third = (AnsweredCall(f"0:{n}", frame_digest(b"%d" % n), REPLY, False) for n in range(3))
        await answered.put(station, "conn-1", "m-1", first)
        await answered.put(station, "conn-2", "m-9", second)
        await answered.put(other, "conn-3", "m-1", third)
        assert await answered.latest(station) == LatestAnswer("conn-2", "m-9", second)
        await answered.put(station, "conn-1", "m-1", first)
        assert await answered.latest(station) == LatestAnswer("conn-1", "m-1", first)
        assert await answered.latest(other) == LatestAnswer("conn-3", "m-1", third)
