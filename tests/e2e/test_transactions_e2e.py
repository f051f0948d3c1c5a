"""Charging sessions end to end on the real stack: a 1.6, a 2.0.1 and a 2.1 station charge with tokens of the
authorization service; the transactions are read back with `csms transactions`; remote start/stop go through
`csms sessions`; duplicated and reordered frames leave one correct transaction; the live read models equal a
rebuild from the events log. Set-up and polling use gRPC (a `csms` process costs seconds on a loaded box)."""

from __future__ import annotations

import asyncio
import contextlib
import json
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import grpc
import pytest
from google.protobuf import json_format
from ocpp.v16 import call as call16

from csms.authorization.v1 import authorization_pb2, authorization_pb2_grpc
from csms.device_model.v1 import device_model_pb2, device_model_pb2_grpc
from csms.transactions.v1 import transactions_pb2, transactions_pb2_grpc
from csms_devtools.stack import Stack
from csms_kernel.clients.channels import channel as grpc_channel
from csms_kernel.infra import cassandra
from csms_kernel.ocpp.versions import OcppVersion
from csms_kernel.projecting.rebuild import rebuild
from csms_transactions.adapters.repository import CassandraTransactionsRepository
from csms_transactions.ports import TransactionQuery
from csms_transactions.projections.transactions import PROJECTION
from infra_fixtures import Infra
from kit import scratch_keyspace
from kit.stack import Cli
from kit.stations.ocpp_client import connected_station
from kit.waiting import eventually

PASSWORD = "correct-horse-battery-staple"
V16, V201, V21 = OcppVersion.V16, OcppVersion.V201, OcppVersion.V21
# Energy registers of every full session (Wh): start, two samples, stop → 5000 Wh charged.
REGISTERS = (1000, 2000, 3500, 6000)
ENDED = "TRANSACTION_STATE_ENDED"


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}".upper()


def iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


# ---------------------------------------------------------------- the stack's APIs


async def csms(cli: Cli, *args: str) -> Any:
    """The JSON a `csms` command printed (fails on a non-zero exit)."""
    result = await asyncio.to_thread(cli, *args)
    assert result.returncode == 0, f"csms {' '.join(args)}: {result.stderr}"
    return json.loads(result.stdout)


async def add_token(stack: Stack, token: str, status: int = authorization_pb2.ID_TOKEN_STATUS_ACCEPTED) -> None:
    request = authorization_pb2.UpsertIdTokenRequest(
        id_token=token, type=authorization_pb2.ID_TOKEN_TYPE_ISO14443, status=status
    )
    async with grpc_channel(stack.config.authorization_address, stack.config.grpc_tls()) as channel:
        await authorization_pb2_grpc.AuthorizationServiceStub(channel).UpsertIdToken(request, timeout=10)


async def online(stack: Stack, station_id: str) -> bool:
    async with grpc_channel(stack.config.device_model_address, stack.config.grpc_tls()) as channel:
        stub = device_model_pb2_grpc.DeviceModelServiceStub(channel)
        try:
            response = await stub.GetStation(device_model_pb2.GetStationRequest(station_id=station_id), timeout=5)
        except grpc.aio.AioRpcError:
            return False
    return response.station.connected


@contextlib.asynccontextmanager
async def booted(stack: Stack, version: OcppVersion) -> AsyncIterator[Any]:
    """A registered, booted station of `version`, online in device-model (so remote calls reach it)."""
    station_id = unique(f"E2E-TX-{version.name}")
    request = authorization_pb2.RegisterStationRequest(station_id=station_id, password=PASSWORD, security_profile=1)
    async with grpc_channel(stack.config.authorization_address, stack.config.grpc_tls()) as channel:
        await authorization_pb2_grpc.AuthorizationServiceStub(channel).RegisterStation(request, timeout=10)
    async with connected_station(stack.config.edge_url(0), station_id, PASSWORD, version) as station:
        await station.boot()
        await eventually(lambda: online(stack, station_id), bool, timeout_s=60, what=f"{station_id} online")
        yield station


async def get_transaction(stack: Stack, station_id: str, transaction_id: str) -> dict[str, Any] | None:
    """As `csms transactions show --json` prints it; None while unknown."""
    request = transactions_pb2.GetTransactionRequest(station_id=station_id, transaction_id=transaction_id)
    async with grpc_channel(stack.config.transactions_address, stack.config.grpc_tls()) as channel:
        try:
            response = await transactions_pb2_grpc.TransactionsServiceStub(channel).GetTransaction(request, timeout=10)
        except grpc.aio.AioRpcError as exc:
            if exc.code() == grpc.StatusCode.NOT_FOUND:
                return None
            raise
    return json_format.MessageToDict(
        response, preserving_proto_field_name=True, always_print_fields_with_no_presence=True
    )


async def ended(stack: Stack, station_id: str, transaction_id: str) -> dict[str, Any]:
    shown = await eventually(
        lambda: get_transaction(stack, station_id, transaction_id),
        lambda s: s is not None and s["transaction"]["state"] == ENDED,
        timeout_s=60,
        what=f"transaction {transaction_id} of {station_id} ended",
    )
    assert shown is not None
    return shown


async def converged(stack: Stack, station_id: str, transaction_id: str) -> dict[str, Any]:
    """The transaction once it shows ended with a meter start of 1000 Wh and a stop of 6000 Wh."""

    def done(shown: dict[str, Any] | None) -> bool:
        if shown is None or shown["transaction"]["state"] != ENDED:
            return False
        return (shown["transaction"].get("meter_start_wh"), shown["transaction"].get("meter_stop_wh")) == (1000, 6000)

    shown = await eventually(
        lambda: get_transaction(stack, station_id, transaction_id),
        done,
        timeout_s=60,
        what=f"transaction {transaction_id} of {station_id} converged",
    )
    assert shown is not None
    return shown


# ---------------------------------------------------------------- what the stations send


def sampled16(wh: int, context: str = "Sample.Periodic") -> dict[str, Any]:
    return {"value": str(wh / 1000), "unit": "kWh", "context": context}


def sampled2x(wh: int, context: str = "Sample.Periodic") -> dict[str, Any]:
    return {"value": wh / 1000, "context": context, "unit_of_measure": {"unit": "kWh"}}


async def session16(station: Any, token: str, t0: datetime) -> str:
    """A whole 1.6 session: authorize, start, two meter values, stop; returns the transaction id."""
    assert (await station.authorize(token)).id_tag_info["status"] == "Accepted"
    start = call16.StartTransaction(connector_id=1, id_tag=token, meter_start=REGISTERS[0], timestamp=iso(t0))
    started = await station.call(start)
    assert started.id_tag_info == {"status": "Accepted"}
    for minutes, wh in ((10, REGISTERS[1]), (20, REGISTERS[2])):
        values = [{"timestamp": iso(t0 + timedelta(minutes=minutes)), "sampled_value": [sampled16(wh)]}]
        await station.call(
            call16.MeterValues(connector_id=1, transaction_id=started.transaction_id, meter_value=values)
        )
    stopped_at = t0 + timedelta(minutes=30)
    stop = call16.StopTransaction(
        meter_stop=REGISTERS[3],
        timestamp=iso(stopped_at),
        transaction_id=started.transaction_id,
        reason="Local",
        id_tag=token,
        transaction_data=[
            {"timestamp": iso(stopped_at), "sampled_value": [sampled16(REGISTERS[3], "Transaction.End")]}
        ],
    )
    assert (await station.call(stop)).id_tag_info == {"status": "Accepted"}
    return str(started.transaction_id)


def event2x(
    station: Any, kind: str, seq_no: int, at: datetime, trigger: str, transaction_id: str, **fields: Any
) -> Any:
    info = {"transaction_id": transaction_id, **fields.pop("info", {})}
    return station.calls.TransactionEvent(
        event_type=kind, timestamp=iso(at), trigger_reason=trigger, seq_no=seq_no, transaction_info=info, **fields
    )


def session2x_events(station: Any, token: str, t0: datetime, transaction_id: str) -> list[Any]:
    """Started (authorized, Transaction.Begin register), two periodic samples, Ended (Transaction.End)."""
    id_token = {"id_token": token, "type": "ISO14443"}
    t_end = t0 + timedelta(minutes=30)
    return [
        event2x(
            station, "Started", 0, t0, "Authorized", transaction_id,
            info={"charging_state": "Charging"}, id_token=id_token, evse={"id": 1, "connector_id": 1},
            meter_value=[{"timestamp": iso(t0), "sampled_value": [sampled2x(REGISTERS[0], "Transaction.Begin")]}],
        ),
        *(
            event2x(
                station, "Updated", seq, t0 + timedelta(minutes=10 * seq), "MeterValuePeriodic", transaction_id,
                meter_value=[{"timestamp": iso(t0 + timedelta(minutes=10 * seq)), "sampled_value": [sampled2x(wh)]}],
            )
            for seq, wh in ((1, REGISTERS[1]), (2, REGISTERS[2]))
        ),
        event2x(
            station, "Ended", 3, t_end, "StopAuthorized", transaction_id,
            info={"charging_state": "Idle", "stopped_reason": "Local"}, id_token=id_token,
            meter_value=[{"timestamp": iso(t_end), "sampled_value": [sampled2x(REGISTERS[3], "Transaction.End")]}],
        ),
    ]  # fmt: skip


async def session2x(station: Any, token: str, t0: datetime) -> str:
    """A whole 2.x session: authorize, Started, two Updated, Ended; returns the transaction id."""
    assert (await station.authorize(token, "ISO14443")).id_token_info["status"] == "Accepted"
    transaction_id = unique("tx")
    answers = [await station.call(event) for event in session2x_events(station, token, t0, transaction_id)]
    assert [a.id_token_info for a in answers] == [{"status": "Accepted"}, None, None, {"status": "Accepted"}]
    return transaction_id


# ---------------------------------------------------------------- tests


async def test_a_full_session_on_every_version_gives_the_same_transaction(stack: Stack, cli: Cli) -> None:
    tokens = {version: unique("TAG") for version in OcppVersion}
    await asyncio.gather(*(add_token(stack, token) for token in tokens.values()))
    t0 = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=1)

    async def charge(version: OcppVersion) -> tuple[str, str]:
        async with booted(stack, version) as station:
            run = session16 if version is V16 else session2x
            return station.id, await run(station, tokens[version], t0)

    sessions = dict(zip(OcppVersion, await asyncio.gather(*(charge(v) for v in OcppVersion)), strict=True))
    await asyncio.gather(*(ended(stack, *sessions[version]) for version in OcppVersion))
    shown = dict(
        zip(
            OcppVersion,
            await asyncio.gather(
                *(
                    csms(cli, "transactions", "show", tx, "--station", station, "--json")
                    for station, tx in sessions.values()
                )
            ),
            strict=True,
        )
    )
    expected = {
        "evse_id": 1,
        "connector_id": 1,
        "authorization_status": "Accepted",
        "meter_start_wh": 1000.0,
        "meter_stop_wh": 6000.0,
        "energy_wh": 5000.0,
        "stop_reason": "Local",
        "state": ENDED,
        "unknown_start": False,
    }
    varying = {"station_id", "transaction_id", "ocpp_version", "csms_transaction_id", "station_transaction_id"}
    varying |= {"started_at", "ended_at", "updated_at", "first_seen_at", "last_seq_no", "charging_state", "id_token"}
    shapes = []
    for version, one in shown.items():
        t = one["transaction"]
        assert {key: t[key] for key in expected} == expected, version
        assert t["id_token"]["id_token"] == tokens[version] and t["started_at"] == iso(t0).replace(".000", "")
        # 1.6 reports its meter start as a number, not as a sample.
        registers = REGISTERS[1:] if version is V16 else REGISTERS
        assert [s["value"] for s in one["samples"]] == [float(wh) for wh in registers], version
        shapes.append({key: value for key, value in t.items() if key not in varying})
    assert shapes[0] == shapes[1] == shapes[2]
    assert shown[V16]["transaction"]["csms_transaction_id"] == int(sessions[V16][1])
    assert shown[V201]["transaction"]["station_transaction_id"] == sessions[V201][1]
    listed = await csms(cli, "transactions", "list", "--token", tokens[V21], "--json")
    assert [(t["station_id"], t["transaction_id"]) for t in listed] == [sessions[V21]]


async def test_unknown_blocked_and_concurrent_tokens(stack: Stack) -> None:
    blocked, busy = unique("BLOCKED"), unique("BUSY")
    await add_token(stack, blocked, authorization_pb2.ID_TOKEN_STATUS_BLOCKED)
    await add_token(stack, busy)
    t0 = datetime.now(UTC).replace(microsecond=0)
    async with booted(stack, V16) as s16, booted(stack, V201) as s201, booted(stack, V21) as s21:
        for connector, (token, status) in enumerate(((unique("NOBODY"), "Invalid"), (blocked, "Blocked")), 1):
            start = call16.StartTransaction(connector_id=connector, id_tag=token, meter_start=0, timestamp=iso(t0))
            assert (await s16.call(start)).id_tag_info == {"status": status}
        for station in (s201, s21):
            for token, status in ((unique("NOBODY"), "Unknown"), (blocked, "Blocked")):
                started = session2x_events(station, token, t0, unique("tx"))[0]
                assert (await station.call(started)).id_token_info == {"status": status}
        # The token charges at the 2.0.1 station: a start elsewhere is ConcurrentTx, on either version.
        charging = session2x_events(s201, busy, t0, unique("tx"))[0]
        assert (await s201.call(charging)).id_token_info == {"status": "Accepted"}
        start = call16.StartTransaction(connector_id=3, id_tag=busy, meter_start=0, timestamp=iso(t0))
        assert (await s16.call(start)).id_tag_info == {"status": "ConcurrentTx"}
        elsewhere = session2x_events(s21, busy, t0, unique("tx"))[0]
        assert (await s21.call(elsewhere)).id_token_info == {"status": "ConcurrentTx"}


async def remote_session(stack: Stack, cli: Cli, version: OcppVersion) -> None:
    """`csms sessions start`, the station starts; (2.x) `csms transactions status`; `csms sessions stop`, the
    station stops: the transaction ends with reason Remote."""
    token = unique("REMOTE")
    await add_token(stack, token)
    t0 = datetime.now(UTC).replace(microsecond=0)
    async with booted(stack, version) as station:
        start = ("sessions", "start", station.id, "--token", token, "--token-type", "ISO14443", "--evse", "1")
        assert await csms(cli, *start) == {"status": "Accepted"}
        name, request = station.received.calls[-1]
        if version is V16:
            assert (name, request) == ("RemoteStartTransaction", {"idTag": token, "connector_id": 1})
            started = call16.StartTransaction(connector_id=1, id_tag=token, meter_start=100, timestamp=iso(t0))
            transaction_id = str((await station.call(started)).transaction_id)
        else:
            assert name == "RequestStartTransaction" and request["evse_id"] == 1
            assert request["idToken"] == {"id_token": token, "type": "ISO14443"}
            transaction_id = unique("tx")
            started = session2x_events(station, token, t0, transaction_id)[0]
            started.trigger_reason = "RemoteStart"
            started.transaction_info["remote_start_id"] = request["remoteStartId"]
            await station.call(started)
            status = await csms(cli, "transactions", "status", station.id, transaction_id)
            assert status == {"messagesInQueue": False, "ongoingIndicator": True}

        assert await csms(cli, "sessions", "stop", station.id, transaction_id) == {"status": "Accepted"}
        name, stop_request = station.received.calls[-1]
        stopped_at = iso(t0 + timedelta(minutes=5))
        if version is V16:
            assert (name, stop_request) == ("RemoteStopTransaction", {"transactionId": int(transaction_id)})
            stop = call16.StopTransaction(
                meter_stop=900, timestamp=stopped_at, transaction_id=int(transaction_id), reason="Remote"
            )
            await station.call(stop)
        else:
            assert (name, stop_request) == ("RequestStopTransaction", {"transactionId": transaction_id})
            info = {"stopped_reason": "Remote"}
            await station.call(
                event2x(station, "Ended", 1, t0 + timedelta(minutes=5), "RemoteStop", transaction_id, info=info)
            )
        shown = (await ended(stack, station.id, transaction_id))["transaction"]
        assert shown["stop_reason"] == "Remote" and shown["id_token"]["id_token"] == token
        if version is not V16:
            assert shown["remote_start_id"] == request["remoteStartId"]


async def test_remote_start_and_stop_on_every_version(stack: Stack, cli: Cli) -> None:
    await asyncio.gather(*(remote_session(stack, cli, version) for version in OcppVersion))


async def test_duplicated_and_reordered_frames_leave_one_correct_transaction(stack: Stack) -> None:
    token = unique("DUP")
    await add_token(stack, token)
    t0 = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=3)
    async with booted(stack, V16) as s16, booted(stack, V201) as s201:
        # 1.6: the same StartTransaction sent again under a new message id gets the same transaction id; the
        # stop is sent twice, and a MeterValues that was queued offline arrives after it.
        start = call16.StartTransaction(connector_id=1, id_tag=token, meter_start=1000, timestamp=iso(t0))
        first, again = await s16.call(start), await s16.call(start)
        assert first.transaction_id == again.transaction_id
        transaction16 = first.transaction_id
        stop = call16.StopTransaction(
            meter_stop=6000, timestamp=iso(t0 + timedelta(minutes=30)), transaction_id=transaction16, reason="Local"
        )
        await s16.call(stop)
        await s16.call(stop)
        late = [{"timestamp": iso(t0 + timedelta(minutes=10)), "sampled_value": [sampled16(2000)]}]
        await s16.call(call16.MeterValues(connector_id=1, transaction_id=transaction16, meter_value=late))

        # 2.0.1: the Ended sent offline arrives before the updates, one update twice, the Started last, the
        # Ended once more.
        transaction201 = unique("tx")
        started, update1, update2, end = session2x_events(s201, token, t0 + timedelta(hours=1), transaction201)
        end.offline = True
        for event in (end, update2, update1, update1, started, end):
            await s201.call(event)
        # Projections converge whatever the order; "ended" may be projected before the events sent after it.
        shown16 = await converged(stack, s16.id, str(transaction16))
        shown201 = await converged(stack, s201.id, transaction201)
    for shown in (shown16["transaction"], shown201["transaction"]):
        assert (shown["meter_start_wh"], shown["meter_stop_wh"], shown["energy_wh"]) == (1000.0, 6000.0, 5000.0)
        assert shown["id_token"]["id_token"] == token and shown["started_at"]
    assert shown201["transaction"]["last_seq_no"] == 3
    assert [s["value"] for s in shown201["samples"]] == [float(wh) for wh in REGISTERS]
    async with grpc_channel(stack.config.transactions_address, stack.config.grpc_tls()) as channel:
        stub = transactions_pb2_grpc.TransactionsServiceStub(channel)
        for station_id in (s16.id, s201.id):
            listed = await stub.ListTransactions(transactions_pb2.ListTransactionsRequest(station_id=station_id))
            assert [(t.transaction_id, t.state) for t in listed.transactions] == [
                (
                    str(transaction16) if station_id == s16.id else transaction201,
                    transactions_pb2.TRANSACTION_STATE_ENDED,
                )
            ]
        active = await stub.ListTransactions(transactions_pb2.ListTransactionsRequest(id_token=token, active_only=True))
        assert list(active.transactions) == []


@pytest.fixture
async def session(infra: Infra) -> AsyncIterator[cassandra.CassandraSession]:
    connected = await cassandra.connect(infra.cassandra_contact_points, infra.cassandra_port, infra.local_dc, None)
    yield connected
    await connected.close()


async def test_the_live_read_models_equal_a_rebuild_from_the_log(
    infra: Infra, session: cassandra.CassandraSession, stack: Stack
) -> None:
    token = unique("REBUILD")
    await add_token(stack, token)
    t0 = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=5)
    async with booted(stack, V16) as s16, booted(stack, V21) as s21:
        sessions = [
            (s16.id, await session16(s16, token, t0)),
            (s21.id, await session2x(s21, token, t0 + timedelta(hours=1))),
        ]
    await asyncio.gather(*(ended(stack, *one) for one in sessions))
    keyspace = await scratch_keyspace.create_keyspace(session)
    try:
        group = f"transactions.projector.e2e-rebuild-{uuid.uuid4().hex[:8]}"
        await rebuild(
            PROJECTION, kafka_bootstrap=infra.kafka_bootstrap, session=session, group=group, keyspace=keyspace
        )
        live = CassandraTransactionsRepository(session)
        rebuilt = CassandraTransactionsRepository(session, keyspace)
        for station_id, transaction_id in sessions:
            assert await rebuilt.transaction(station_id, transaction_id) == await live.transaction(
                station_id, transaction_id
            )
            assert await rebuilt.samples(station_id, transaction_id) == await live.samples(station_id, transaction_id)
        for repository in (live, rebuilt):
            page, _ = await repository.transactions(TransactionQuery(id_token=token), 10, "")
            assert [(t.station_id, t.transaction_id) for t in page] == sessions[::-1]
    finally:
        await scratch_keyspace.drop_keyspace(session, keyspace)
