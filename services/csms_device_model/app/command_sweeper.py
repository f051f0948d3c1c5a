"""The command sweep: every `interval_s`, on the one instance holding its lease, looks at every open command and
applies what time decided (`OperatorCommands.settle`: expired, outcome unknown), takes finished commands out of
the open ones and the queues (a finisher that stopped before doing so), and asks for the delivery of the queued
commands of their stations (`OperatorCommands.trigger`, which checks that each is connected and accepted): a
drain that stopped with its process resumes within a sweep. No I/O of its own: the store and lease are injected.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from csms_device_model.app.operator_commands import OperatorCommands
from csms_device_model.domain.commands.record import CommandState
from csms_device_model.ports import CommandStore
from csms_kernel.outbox.relay import Lease, LeaseKeeper

log = logging.getLogger(__name__)

LEASE_NAME = "command_sweep"


class CommandSweeper:
    def __init__(
        self,
        store: CommandStore,
        commands: OperatorCommands,
        lease: Lease,
        *,
        interval_s: float = 5.0,
        lease_s: float = 15.0,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._store = store
        self._commands = commands
        self._lease = LeaseKeeper(lease, lease_s, monotonic)
        self._interval_s = interval_s

    async def run(self) -> None:
        """Sweeps while holding the lease, until cancelled; gives the lease up on the way out."""
        await self._lease.run_while_held(self.sweep, self._interval_s, "command sweep")

    async def sweep(self) -> None:
        queues: list[str] = []
        for open_command in await self._store.open_commands():
            record = await self._store.get(open_command.command_id)
            if record is None:
                continue
            record = await self._commands.settle(record)
            if record.state.final:
                await self._store.finish(record)
            elif record.state is CommandState.QUEUED and record.queue_if_offline:
                queues.append(record.station_id)
        for station_id in dict.fromkeys(queues):
            self._commands.trigger(station_id)
