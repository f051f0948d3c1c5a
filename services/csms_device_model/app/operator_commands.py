"""Operator commands (docs/adr/0020-operator-commands.md): record a command, send it now, in the background, or
once its offline station is connected and accepted, and read commands back.

`send` translates the command to the station's OCPP version (`ocpp/commands.py`; refusals name the field or say
why the version cannot express it), stores the record (`CommandStore`) and, for a connected station, sends it,
waiting for the outcome (`wait`) or not. A command for an offline station is kept (`queue_if_offline`) and
delivered by `trigger(station)`, which the stations projection calls when the station connects or boots
(`policies/deliver_queued_commands.py`) and the sweep calls for connected stations with queued commands: a
bounded number of workers (`deliveries`) drain the stations asked for, one drain per station and instance, each
sending the queue in creation order, one at a time, while the station is connected and its last boot was
Accepted (a boot storm asks for thousands of stations, nearly all with nothing queued: one read each).

Every send first moves the record queued → sent with a compare-and-set, so a command is sent at most once
whichever instances try; a record that cannot be moved was taken by another instance. `settle` applies what time
alone decides (`domain.commands.record.overdue`): expiry, and outcome unknown for a command whose sender stopped.
Every change wakes the event relay (`changed`).

A request with an idempotency key (the caller's name for the command, e.g. the API's `Idempotency-Key` or the
firmware campaign's station attempt) gets a command id derived from the station and the key: a repeat returns the
same command, never a second one (`_repeated`), and one that names another command is refused.

Commands that change how the station logs in (set-password, set-security-profile; `domain.commands.credentials`,
docs/adr/0027) go to connected stations only: their pending password or profile is registered
(`StationCredentials`) before the record is stored and the station told, and cancelled once the station certainly
did not take it. Their secrets stay in memory for the send only; the record has them redacted.

No I/O of its own: the store, the stations repository, the edge calls and the clock are injected. Background
sends and drains are tasks of this object, cancelled when `run()` is.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import uuid
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import grpc

from csms_device_model.app.send_call import InvalidCall
from csms_device_model.domain.commands.credentials import CredentialChange, check_upgrade, keeps_pending, redact
from csms_device_model.domain.commands.params import CommandRefused
from csms_device_model.domain.commands.record import (
    CallError,
    CommandRecord,
    CommandState,
    Failure,
    overdue,
)
from csms_device_model.domain.commands.request_ids import with_request_id
from csms_device_model.domain.presence import Presence
from csms_device_model.ocpp.commands import AnswerNotUnderstood, Plan, UnknownCommand, takes_request_id, translate
from csms_device_model.ports import (
    CallErrorReply,
    CommandExists,
    CommandStore,
    CredentialsUnavailable,
    EdgeNodeCalls,
    StationCredentials,
    StationsRepository,
)
from csms_kernel.clients.station_calls import CallTimedOut, StationCallError, StationOffline
from csms_kernel.ocpp.versions import OcppVersion

log = logging.getLogger(__name__)

ACCEPTED = "Accepted"
WAIT_POLL_S = 0.2


IDEMPOTENCY_NAMESPACE = uuid.UUID("6f1c2a52-5a0e-4c57-9d5c-4b0f6c1e7a01")


def idempotent_command_id(station_id: str, key: str) -> str:
    """The command id of a request with an idempotency key: the same for every repeat of it (UUID v5)."""
    return str(uuid.uuid5(IDEMPOTENCY_NAMESPACE, f"{station_id}\x00{key}"))


class IdempotencyConflict(StationCallError):
    """An idempotency key already used for another command of the station."""

    default_status = grpc.StatusCode.ALREADY_EXISTS


class NotFound(StationCallError):
    """An unknown command name, station or command id."""

    default_status = grpc.StatusCode.NOT_FOUND


@dataclass(frozen=True)
class NewCommand:
    station_id: str
    command: str
    params: Any
    timeout_s: float | None = None
    wait: bool = True
    queue_if_offline: bool = False
    expires_at: datetime | None = None
    idempotency_key: str = ""


def to_millis(moment: datetime) -> datetime:
    """The time as Cassandra keeps it (milliseconds), rounded up: a command's later times are never before its
    creation time (kept to the microsecond, for the order of a station's commands)."""
    rounded = moment.replace(microsecond=moment.microsecond // 1000 * 1000)
    return rounded if rounded == moment else rounded + timedelta(milliseconds=1)


class OperatorCommands:
    def __init__(
        self,
        store: CommandStore,
        stations: StationsRepository,
        edges: EdgeNodeCalls,
        clock: Callable[[], datetime],
        *,
        default_timeout_s: float,
        grace_s: float,
        deliveries: int = 16,
        changed: Callable[[], None] = lambda: None,
        new_id: Callable[[], str] = lambda: str(uuid.uuid4()),
        credentials: StationCredentials | None = None,
    ) -> None:
        self._store = store
        self._stations = stations
        self._edges = edges
        self._clock = clock
        self._default_timeout_s = default_timeout_s
        self._grace = timedelta(seconds=grace_s)
        self._changed = changed
        self._new_id = new_id
        self._credentials = credentials
        self._deliveries = deliveries
        self._tasks: set[asyncio.Task[None]] = set()
        self._asked: asyncio.Queue[str] = asyncio.Queue()
        self._waiting: set[str] = set()
        self._draining: set[str] = set()
        self._drain_again: set[str] = set()

    async def send(self, new: NewCommand) -> CommandRecord:
        """Records the command and sends it (see the module). Raises NotFound, InvalidCall, StationOffline."""
        presence = await self._stations.presence(new.station_id)
        if presence is None:
            raise NotFound(f"station {new.station_id} has never connected")
        version = OcppVersion(presence.ocpp_version)
        command_id = idempotent_command_id(new.station_id, new.idempotency_key) if new.idempotency_key else None
        command_id = command_id or self._new_id()
        params = with_request_id(new.params, command_id) if takes_request_id(new.command) else new.params
        try:
            plan = translate(new.command, version, params)
        except UnknownCommand as exc:
            raise NotFound(str(exc)) from exc
        except CommandRefused as exc:
            raise InvalidCall(f"{new.command} for {new.station_id} ({version.subprotocol}): {exc}") from exc
        if new.idempotency_key:
            existing = await self._store.get(command_id)
            if existing is not None:
                return await self._repeated(existing, new, redact(dict(params), plan.secrets), presence, plan)
        now = self._clock()
        expires_at = self._expiry(new, now)
        if plan.credentials is not None:
            await self._register_pending(new, presence, plan.credentials)
        if not presence.connected and not new.queue_if_offline:
            raise StationOffline(f"station {new.station_id} is offline (queue_if_offline keeps the command for it)")
        timeout_s = new.timeout_s if new.timeout_s and new.timeout_s > 0 else self._default_timeout_s
        record = CommandRecord(
            command_id=command_id,
            station_id=new.station_id,
            command=new.command,
            params=redact(dict(params), plan.secrets),
            state=CommandState.QUEUED,
            ocpp_version=version,
            calls=plan.shown(),
            timeout_s=timeout_s,
            created_at=now,
            queue_if_offline=new.queue_if_offline,
            expires_at=expires_at,
        )
        try:
            await self._store.create(record)
        except CommandExists:
            existing = await self._store.get(command_id)
            if not new.idempotency_key or existing is None:
                raise
            return await self._repeated(existing, new, record.params, presence, plan)
        self._changed()
        if not presence.connected:
            return record
        if new.wait:
            return await self._deliver_now(record, presence, plan)
        self._spawn(self._deliver_now(record, presence, plan), f"command {record.command_id}")
        return record

    async def _repeated(
        self, existing: CommandRecord, new: NewCommand, params: dict[str, Any], presence: Presence, plan: Plan
    ) -> CommandRecord:
        """The command an earlier request with the same idempotency key made (IdempotencyConflict if it was
        another command). One still queued may have been left by a sender that stopped: its indexes are written
        again and, for a connected station, it is delivered now (queued → sent happens once, whoever tries)."""
        if (existing.command, existing.params) != (new.command, params):
            raise IdempotencyConflict(
                f"idempotency key {new.idempotency_key!r} of station {new.station_id} was used for another command"
                f" ({existing.command} {json.dumps(existing.params, sort_keys=True)}, {existing.command_id})"
            )
        if existing.state is not CommandState.QUEUED:
            return await (self._finished(existing) if new.wait else self.settle(existing))
        await self._store.index(existing)
        self._changed()
        if existing.queue_if_offline or not presence.connected:
            self.trigger(existing.station_id)
            return await self.settle(existing)
        if new.wait:
            return await self._deliver_now(existing, presence, plan)
        self._spawn(self._deliver_now(existing, presence, plan), f"command {existing.command_id}")
        return existing

    async def get(self, command_id: str) -> CommandRecord:
        record = await self._store.get(command_id)
        if record is None:
            raise NotFound(f"no command {command_id}")
        return await self.settle(record)

    async def station_commands(
        self, station_id: str, page_size: int, page_token: str
    ) -> tuple[list[CommandRecord], str]:
        """A page of the station's commands, newest first. ValueError for a page token not issued here."""
        records, token = await self._store.station_commands(station_id, page_size, page_token)
        return [await self.settle(record) for record in records], token

    async def settle(self, record: CommandRecord) -> CommandRecord:
        """The record once what time alone decides is applied (expired, outcome unknown)."""
        after = overdue(record, to_millis(self._clock()), self._grace)
        return record if after is None else await self._finish(record, after)

    def trigger(self, station_id: str) -> None:
        """Delivers the station's queued commands in the background (if it is connected and accepted); asked
        again while its drain runs, it drains again after it."""
        if station_id in self._draining:
            self._drain_again.add(station_id)
        elif station_id not in self._waiting:
            self._waiting.add(station_id)
            self._asked.put_nowait(station_id)

    async def run(self) -> None:
        """Runs the delivery workers and keeps the background sends until cancelled, then cancels them all."""
        for worker in range(self._deliveries):
            self._spawn(self._deliver_asked(), f"delivery worker {worker}")
        try:
            await asyncio.Event().wait()
        finally:
            tasks = list(self._tasks)
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)

    async def drain(self, station_id: str) -> None:
        """Sends the station's queue, oldest first, one at a time, while the station is connected and accepted;
        stops at a command another instance is sending."""
        while True:
            queued = await self._store.queued(station_id)
            if not queued:
                return
            presence = await self._stations.presence(station_id)
            if presence is None or not presence.connected:
                return
            if await self._stations.registration(station_id) != ACCEPTED:
                return
            head = await self._store.get(queued[0])
            if head is None:
                return
            head = await self.settle(head)
            if head.state.final:
                await self._store.finish(head)
            elif head.state is CommandState.SENT or await self.deliver(head, presence) is None:
                return

    async def deliver(
        self, record: CommandRecord, presence: Presence, plan: Plan | None = None
    ) -> CommandRecord | None:
        """Takes the queued command (queued → sent) and sends it (`plan`: as translated when it was sent directly;
        a queued one is translated again, to the version its station is on now); the finished record, or None when
        another instance took it first."""
        version = OcppVersion(presence.ocpp_version)
        if plan is None or version is not record.ocpp_version:
            try:
                plan = translate(record.command, version, record.params)
            except CommandRefused as exc:
                failure = Failure.NOT_EXPRESSIBLE.text(f"the station is on {version.subprotocol} now: {exc}")
                return await self._finish(record, record.failed(self._now(), failure))
        sent = record.sending(self._now(), version, plan.shown())
        if not await self._store.change(CommandState.QUEUED, sent):
            return None
        self._changed()
        finished = await self._finish(sent, await self._outcome(sent, presence, plan))
        if plan.credentials is not None:
            await self._settle_pending(finished, plan, plan.credentials)
        return finished

    async def _register_pending(self, new: NewCommand, presence: Presence, change: CredentialChange) -> None:
        """Registers the command's pending credential before anything is stored or sent (see the module)."""
        if new.queue_if_offline:
            raise InvalidCall(
                f"queue_if_offline: {new.command} is sent to connected stations only (a credential change is not "
                "kept waiting for an offline station)"
            )
        if self._credentials is None:
            raise CredentialsUnavailable(f"{new.command}: this device-model instance has no station registry client")
        if change.security_profile is not None:
            registered = await self._credentials.registered_profile(new.station_id)
            try:
                check_upgrade(change, new.station_id, registered)
            except CommandRefused as exc:
                raise InvalidCall(str(exc)) from exc
        if not presence.connected:
            raise StationOffline(f"station {new.station_id} is offline ({new.command} needs it connected)")
        await self._credentials.set_pending(new.station_id, change)

    async def _settle_pending(self, finished: CommandRecord, plan: Plan, change: CredentialChange) -> None:
        """Cancels the pending credential when the station certainly did not take it (domain.commands.credentials);
        a cancellation that fails leaves a pending credential the station never got, logged."""

        def accepted(index: int, payload: dict[str, Any]) -> bool | None:
            try:
                return plan.proceed(index, payload)
            except AnswerNotUnderstood:
                return None

        if keeps_pending(change, finished, accepted):
            return
        assert self._credentials is not None
        try:
            await self._credentials.cancel_pending(finished.station_id, change)
        except StationCallError as exc:
            log.warning(
                "command %s: the station did not take the new credential, but cancelling the pending one failed "
                "(it stays until replaced or cancelled with csms stations update): %s",
                finished.command_id,
                exc,
            )

    async def _deliver_now(self, record: CommandRecord, presence: Presence, plan: Plan) -> CommandRecord:
        delivered = await self.deliver(record, presence, plan)
        if record.queue_if_offline:
            self.trigger(record.station_id)
        return delivered if delivered is not None else await self._finished(record)

    async def _outcome(self, sent: CommandRecord, presence: Presence, plan: Plan) -> CommandRecord:
        """Sends the plan's CALLs in order until one is not answered with a CALLRESULT or the plan stops
        (`proceed`); the finished record."""
        deadline = sent.deadline()
        assert deadline is not None
        responses: list[Any] = []
        payloads: list[dict[str, Any]] = []
        for index, call in enumerate(plan.calls):
            remaining = (deadline - self._now()).total_seconds()
            if remaining <= 0:
                return sent.failed(self._now(), Failure.TIMEOUT.text("no time left for the next call"), (*responses,))
            try:
                outcome = await self._edges.send_call(
                    presence, sent.station_id, call.action, json.dumps(call.payload), remaining
                )
            except CallTimedOut as exc:
                return sent.failed(self._now(), Failure.TIMEOUT.text(str(exc)), (*responses,))
            except StationOffline as exc:
                return sent.failed(self._now(), Failure.OFFLINE.text(str(exc)), (*responses,))
            except StationCallError as exc:
                return sent.failed(self._now(), Failure.REFUSED.text(str(exc)), (*responses,))
            if isinstance(outcome, CallErrorReply):
                responses.append([4, outcome.message_id, outcome.code, outcome.description, _details(outcome)])
                error = CallError(outcome.code, outcome.description, outcome.details_json or "{}")
                return sent.answered(self._now(), (*responses,), None, error)
            payload = json.loads(outcome.payload_json)
            responses.append([3, outcome.message_id, payload])
            payloads.append(payload)
            try:
                if not plan.proceed(index, payload):
                    break
            except AnswerNotUnderstood:
                break
        try:
            result = plan.read(payloads)
        except AnswerNotUnderstood as exc:
            return sent.failed(self._now(), Failure.NOT_UNDERSTOOD.text(str(exc)), (*responses,))
        return sent.answered(self._now(), (*responses,), result, None)

    async def _finish(self, before: CommandRecord, after: CommandRecord) -> CommandRecord:
        """Stores a change of state; when another change came first, the record as it is."""
        if not await self._store.change(before.state, after):
            current = await self._store.get(after.command_id)
            assert current is not None
            return current
        self._changed()
        if after.state.final:
            await self._store.finish(after)
        return after

    async def _finished(self, record: CommandRecord) -> CommandRecord:
        """The command another instance took, once finished (or as it is when its outcome is overdue)."""
        while True:
            current = await self.get(record.command_id)
            if current.state.final:
                return current
            await asyncio.sleep(WAIT_POLL_S)

    async def _deliver_asked(self) -> None:
        while True:
            station_id = await self._asked.get()
            self._waiting.discard(station_id)
            self._draining.add(station_id)
            try:
                await self.drain(station_id)
            except Exception:
                log.exception("delivering the queued commands of %s failed (the sweep tries again)", station_id)
            finally:
                self._draining.discard(station_id)
            if station_id in self._drain_again:
                self._drain_again.discard(station_id)
                self.trigger(station_id)

    def _spawn(self, work: Coroutine[Any, Any, Any], what: str) -> asyncio.Task[None]:
        async def logged() -> None:
            try:
                await work
            except Exception:
                log.exception("%s failed", what)

        task = asyncio.create_task(logged())
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    def _expiry(self, new: NewCommand, now: datetime) -> datetime | None:
        if new.expires_at is None:
            if new.queue_if_offline:
                raise InvalidCall("expires_at: is required with queue_if_offline")
            return None
        if not new.queue_if_offline:
            raise InvalidCall("expires_at: only applies with queue_if_offline")
        if new.expires_at <= now:
            raise InvalidCall(f"expires_at: {new.expires_at.isoformat()} has passed")
        return to_millis(new.expires_at)

    def _now(self) -> datetime:
        return to_millis(self._clock())


def _details(reply: CallErrorReply) -> Any:
    with contextlib.suppress(ValueError):
        return json.loads(reply.details_json or "{}")
    return {}
