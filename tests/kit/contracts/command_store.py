"""The `CommandStore` contract (csms_device_model.adapters.command_store), run against the in-memory fake (unit)
and Cassandra (integration): records read back as written, each change of state applies once (compare-and-set
on the state), finished commands leave the open commands and the queue, a station's commands page newest first,
its queue oldest first. A subclass provides the `store` fixture; station ids are unique per test, so tables can
be shared with other tests."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest

from csms_device_model.domain.commands.record import CallError, CommandState, OcppCall
from csms_device_model.ports import CommandStore
from kit.builders.device_model import NOW, a_command

MS = timedelta(milliseconds=1)


def a_station() -> str:
    return f"CS-{uuid.uuid4().hex[:12]}"


def an_id() -> str:
    return str(uuid.uuid4())


class CommandStoreContract:
    async def test_a_record_reads_back_as_created_and_changed(self, store: CommandStore) -> None:
        created = a_command(
            command_id=an_id(),
            station_id=a_station(),
            command="set-configuration",
            params={"settings": [{"key": "HeartbeatInterval", "value": 60}]},
            calls=(OcppCall("ChangeConfiguration", {"key": "HeartbeatInterval", "value": "60"}),),
            timeout_s=2.5,
            queue_if_offline=True,
            expires_at=NOW.replace(microsecond=0) + timedelta(hours=1),
        )
        await store.create(created)
        assert await store.get(created.command_id) == created
        sent = created.sending(NOW.replace(microsecond=0) + 7 * MS, created.ocpp_version, created.calls)
        assert await store.change(CommandState.QUEUED, sent)
        answered = sent.answered(
            sent.sent_at + 5 * MS,  # type: ignore[operator]
            ([3, "m-1", {"status": "Accepted"}],),
            {"results": [{"key": "HeartbeatInterval", "status": "accepted"}]},
            None,
        )
        assert await store.change(CommandState.SENT, answered)
        assert await store.get(created.command_id) == answered
        assert await store.get(an_id()) is None

    async def test_a_call_error_and_a_failure_read_back(self, store: CommandStore) -> None:
        created = a_command(command_id=an_id(), station_id=a_station())
        await store.create(created)
        sent = created.sending(NOW.replace(microsecond=0), created.ocpp_version, created.calls)
        await store.change(CommandState.QUEUED, sent)
        error = CallError("NotSupported", "no", '{"x": 1}')
        answered = sent.answered(
            NOW.replace(microsecond=0) + MS, ([4, "m", "NotSupported", "no", {"x": 1}],), None, error
        )
        assert await store.change(CommandState.SENT, answered)
        assert await store.get(created.command_id) == answered
        other = a_command(command_id=an_id(), station_id=a_station())
        await store.create(other)
        failed = other.failed(NOW.replace(microsecond=0), "not sent: stopped")
        assert await store.change(CommandState.QUEUED, failed)
        assert await store.get(other.command_id) == failed

    async def test_a_change_applies_only_from_the_state_it_leaves(self, store: CommandStore) -> None:
        created = a_command(command_id=an_id(), station_id=a_station())
        await store.create(created)
        first = created.sending(NOW.replace(microsecond=0), created.ocpp_version, created.calls)
        second = created.expired(NOW.replace(microsecond=0))
        assert await store.change(CommandState.QUEUED, first)
        assert not await store.change(CommandState.QUEUED, second)
        assert (await store.get(created.command_id)) == first

    async def test_a_command_id_is_created_once(self, store: CommandStore) -> None:
        created = a_command(command_id=an_id(), station_id=a_station())
        await store.create(created)
        with pytest.raises(ValueError, match="exists already"):
            await store.create(created)

    async def test_indexing_again_keeps_one_entry_of_each(self, store: CommandStore) -> None:
        station = a_station()
        created = a_command(
            command_id=an_id(),
            station_id=station,
            queue_if_offline=True,
            expires_at=NOW.replace(microsecond=0) + timedelta(hours=1),
        )
        await store.create(created)
        await store.index(created)
        assert await store.queued(station) == [created.command_id]
        assert [record.command_id for record in (await store.station_commands(station, 10, ""))[0]] == [
            created.command_id
        ]
        assert [c.command_id for c in await store.open_commands() if c.station_id == station] == [created.command_id]

    async def test_the_queue_and_the_open_commands_until_finished(self, store: CommandStore) -> None:
        station = a_station()
        queued = [
            a_command(
                command_id=an_id(),
                station_id=station,
                created_at=NOW + i * timedelta(microseconds=1),
                queue_if_offline=True,
                expires_at=NOW.replace(microsecond=0) + timedelta(hours=1),
            )
            for i in (2, 0, 1)
        ]
        direct = a_command(command_id=an_id(), station_id=station, created_at=NOW - timedelta(seconds=1))
        for record in [*queued, direct]:
            await store.create(record)
        assert await store.queued(station) == [queued[1].command_id, queued[2].command_id, queued[0].command_id]
        ours = {c.command_id for c in await store.open_commands() if c.station_id == station}
        assert ours == {r.command_id for r in [*queued, direct]}

        expired = queued[1].expired(NOW.replace(microsecond=0))
        await store.change(CommandState.QUEUED, expired)
        await store.finish(expired)
        await store.finish(direct)
        assert await store.queued(station) == [queued[2].command_id, queued[0].command_id]
        ours = {c.command_id for c in await store.open_commands() if c.station_id == station}
        assert ours == {queued[0].command_id, queued[2].command_id}

    async def test_a_stations_commands_page_newest_first(self, store: CommandStore) -> None:
        station = a_station()
        records = [
            a_command(command_id=f"{i}-{an_id()}", station_id=station, created_at=NOW + timedelta(milliseconds=i))
            for i in range(5)
        ]
        for record in records:
            await store.create(record)
        await store.create(a_command(command_id=an_id(), station_id=a_station()))
        first, token = await store.station_commands(station, 2, "")
        second, token2 = await store.station_commands(station, 2, token)
        third, token3 = await store.station_commands(station, 2, token2)
        assert [r.command_id for r in [*first, *second, *third]] == [r.command_id for r in reversed(records)]
        assert token and token2 and token3 == ""
        assert await store.station_commands(a_station(), 10, "") == ([], "")

    @pytest.mark.parametrize("token", ["%%%", "bm90IGlzc3VlZA", "WzEsIDJd"])
    async def test_a_page_token_it_did_not_issue_is_refused(self, store: CommandStore, token: str) -> None:
        with pytest.raises(ValueError, match="invalid page token"):
            await store.station_commands(a_station(), 10, token)
