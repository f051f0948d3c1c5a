"""Hostile input: 50 connections send thousands of random and mutated frames while 20 well-behaved stations
send Heartbeats through the same edge node.

Frames: garbage text, truncated JSON, binary frames, huge and non-string message ids, wrong element types,
unknown message types, deep nesting (within and beyond the parser's depth), wrong payload types, missing
fields, unknown and unsupported actions, lone surrogates, malformed answers, answers to nothing, and oversize
frames.
Must hold: every process stays alive and healthy; every CALL-like frame gets exactly the CALLERROR its
version prescribes (message id "-1" where none could be read), nothing else is answered; an oversize frame
closes its connection with 1009 and the station can reconnect; every Heartbeat of the well-behaved stations
is answered (their latency during the run is printed, not asserted). One instance of every service.
"""

from __future__ import annotations

import asyncio
import json
import random
import statistics
import string
from collections import Counter
from typing import Any

from csms_kernel.ocpp.versions import OcppVersion
from kit.stack import MakeStack
from kit.stations.raw import RawStation, boot_payload, close_all, connect_all
from kit.waiting import eventually, probe

HOSTILE = 50
FRAMES_EACH = 80
GOOD = 20
V16, V201, V21 = OcppVersion.V16, OcppVersion.V201, OcppVersion.V21

RPC = {V16: "FormationViolation", V201: "RpcFrameworkError", V21: "RpcFrameworkError"}
TYPE_NOT_SUPPORTED = {V16: "FormationViolation", V201: "MessageTypeNotSupported", V21: "MessageTypeNotSupported"}
FORMAT = {V16: "FormationViolation", V201: "FormatViolation", V21: "FormatViolation"}
OCCURRENCE = {V16: "OccurenceConstraintViolation", V201: "OccurrenceConstraintViolation"}
OCCURRENCE[V21] = OCCURRENCE[V201]

Frame = str | bytes
Expected = tuple[str, str] | None  # (message id of the CALLERROR, its code), or no answer at all


def nested(depth: int) -> Any:
    value: Any = {}
    for _ in range(depth):
        value = [value]
    return value


def hostile_frame(version: OcppVersion, rng: random.Random, message_id: str) -> tuple[Frame, Expected]:
    """One random hostile frame and the answer OCPP-J prescribes for it."""
    heartbeat = json.dumps([2, message_id, "Heartbeat", {}])
    kind = rng.randrange(17)
    if kind == 0:  # garbage text (never an array: no '[')
        text = "".join(rng.choice(string.printable.replace("[", "") + "é€\u0000") for _ in range(rng.randrange(1, 300)))
        return text, ("-1", RPC[version])
    if kind == 1:  # truncated JSON
        return heartbeat[: rng.randrange(1, len(heartbeat))], ("-1", RPC[version])
    if kind == 2:  # binary frame
        return rng.randbytes(rng.randrange(1, 500)), ("-1", RPC[version])
    if kind == 3:  # huge message id
        return json.dumps([2, "x" * rng.randrange(37, 20000), "Heartbeat", {}]), ("-1", RPC[version])
    if kind == 4:  # message id of the wrong type
        return json.dumps([2, rng.choice([12345, None, [], {}, 1.5, True]), "Heartbeat", {}]), ("-1", RPC[version])
    if kind == 5:  # message type id of the wrong type
        return json.dumps([rng.choice(["2", 2.0, None, [2]]), message_id, "Heartbeat", {}]), (message_id, RPC[version])
    if kind == 6:  # unknown message type
        return json.dumps([rng.choice([0, 1, 7, 99, -1]), message_id, "Heartbeat", {}]), (
            message_id,
            TYPE_NOT_SUPPORTED[version],
        )
    if kind == 7:  # CALL of the wrong shape
        shape = rng.choice([[2, message_id, "Heartbeat"], [2, message_id, 5, {}], [2, message_id, "Heartbeat", []]])
        return json.dumps(shape + ([None] if rng.random() < 0.3 else [])), (message_id, RPC[version])
    if kind == 8:  # nesting beyond the parser's depth
        depth = 5000  # json.dumps cannot write this deep either
        return f'[2,"{message_id}","Heartbeat",{{"a":{"[" * depth}{{}}{"]" * depth}}}]', ("-1", RPC[version])
    if kind == 9:  # deep but parseable nesting, in a property the schema does not allow
        return json.dumps([2, message_id, "Heartbeat", {"a": nested(300)}]), (message_id, FORMAT[version])
    if kind == 10:  # wrong payload type
        payload = boot_payload(version, "ACME", "M")
        if version is V16:
            payload["chargePointVendor"] = 42
        else:
            payload["chargingStation"]["model"] = 42
        return json.dumps([2, message_id, "BootNotification", payload]), (message_id, "TypeConstraintViolation")
    if kind == 11:  # a required field missing
        return json.dumps([2, message_id, "BootNotification", {}]), (message_id, OCCURRENCE[version])
    if kind == 12:  # unknown action
        return json.dumps([2, message_id, f"NoSuch{rng.randrange(1000)}", {}]), (message_id, "NotImplemented")
    if kind == 13:  # a real action, but one only the CSMS sends (every station→CSMS action is handled now)
        return json.dumps([2, message_id, "Reset", {"type": "Immediate"}]), (message_id, "NotSupported")
    if kind == 14:  # lone surrogates (valid JSON escapes that no UTF-8 string can hold)
        return f'[2,"{message_id}","Heart\\ud800beat",{{"x":"\\udfff"}}]', ("-1", RPC[version])
    if kind == 15:  # a malformed answer: OCPP-J never answers a CALLRESULT/CALLERROR (security review #15)
        return json.dumps(rng.choice([[3, message_id, []], [3, message_id], [4, message_id, "X"]])), None
    return json.dumps([3, message_id, {}]), None  # an answer to a call nobody made


def answers(station: RawStation) -> Counter[tuple[str, str]]:
    return Counter(
        (message_id, reply[2] if reply[0] == 4 else f"CALLRESULT {reply}")
        for message_id, replies in station.replies.items()
        for reply in replies
    )


def summary(latencies: list[float]) -> str:
    ordered = sorted(latencies)
    p50, p99 = statistics.median(ordered), ordered[int(0.99 * (len(ordered) - 1))]
    return f"p50 {p50 * 1000:.1f} ms, p99 {p99 * 1000:.1f} ms, max {ordered[-1] * 1000:.1f} ms ({len(ordered)})"


def differences(got: Counter[tuple[str, str]], expected: Counter[tuple[str, str]]) -> str:
    missing, unexpected = expected - got, got - expected
    return f"missing {dict(missing)}, unexpected {dict(unexpected)}" if missing or unexpected else ""


async def test_hostile_frames_crash_nothing_and_well_behaved_stations_carry_on(make_stack: MakeStack) -> None:
    stack = await make_stack(instances=1)
    prefix, url = stack.config.instance_prefix, stack.config.edge_url(0)
    versions = list(OcppVersion)
    hostile = [RawStation([url], f"{prefix}evil-{i:02d}", versions[i % 3]) for i in range(HOSTILE)]
    good = [RawStation([url], f"{prefix}good-{i:02d}", versions[i % 3]) for i in range(GOOD)]
    rng = random.Random(20261121)
    plans = {
        station.station_id: [hostile_frame(station.version, rng, f"h{n}") for n in range(FRAMES_EACH)]
        for station in hostile
    }
    latencies: dict[str, list[float]] = {"before": [], "during": []}
    phase = "before"
    running = True

    async def heartbeats(station: RawStation) -> int:
        payload = boot_payload(station.version, "Good", "G1")
        await station.call("boot", "BootNotification", payload, attempt_timeout_s=30, deadline_s=60)
        sent = 0
        while running:
            sent += 1
            reply, latency = await station.call(f"hb{sent}", "Heartbeat", {}, attempt_timeout_s=30, deadline_s=120)
            assert reply[0] == 3 and "currentTime" in reply[2], reply
            latencies[phase].append(latency)
            await asyncio.sleep(0.1)
        return sent

    async def attack(station: RawStation) -> None:
        # One frame at a time, as OCPP-J has it: a burst would sit unread behind the edge's awaited appends, and
        # so would the station's keep-alive pongs (the node then closes the connection: ping timeout).
        awaited: Counter[str] = Counter()
        for frame, answer in plans[station.station_id]:
            await station.send(frame)
            if answer is not None:
                awaited[answer[0]] += 1
                await station.wait_replies(answer[0], awaited[answer[0]], timeout_s=60)

    try:
        await connect_all(good + hostile)
        load = [asyncio.create_task(heartbeats(station)) for station in good]
        await eventually(
            probe(lambda: len(latencies["before"])), lambda n: n >= 100, timeout_s=90, what="100 quiet Heartbeats"
        )
        phase = "during"
        await asyncio.gather(*(attack(station) for station in hostile))
        expected = {
            station.station_id: Counter(answer for _, answer in plans[station.station_id] if answer is not None)
            for station in hostile
        }
        await eventually(
            probe(lambda: {s.station_id: differences(answers(s), expected[s.station_id]) for s in hostile}),
            lambda wrong: not any(wrong.values()),
            timeout_s=120,
            what="the prescribed CALLERROR for every hostile frame",
        )
        running = False
        heartbeats_sent = sum(await asyncio.gather(*load))

        oversize = hostile[:10]
        for station in oversize:
            await station.send(json.dumps([2, "big", "Heartbeat", {"a": "x" * 1_100_000}]))  # above the 1 MiB limit
        await eventually(
            probe(lambda: [s.close_code for s in oversize]), lambda codes: codes == [1009] * 10, what="1009 closes"
        )
        for station in oversize:
            reply, _ = await station.call("after", "Heartbeat", {}, attempt_timeout_s=30, deadline_s=60)
            assert reply[0] == 3, reply

        await stack.wait_ready(timeout_s=30)
        assert all(process.poll() is None for process in stack.processes.values())
        print(
            f"\n{HOSTILE * FRAMES_EACH} hostile frames from {HOSTILE} connections; {heartbeats_sent} Heartbeats from"
            f" {GOOD} stations; before the attack {summary(latencies['before'])}, during {summary(latencies['during'])}"
        )
    finally:
        running = False
        await close_all(good + hostile)
