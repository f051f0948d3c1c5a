"""The simulator's device management against the whole stack (issue 12, item 7): a 2.0.1 simulated station
answers GetBaseReport and then sends its multi-part NotifyReport, answers GetVariables/SetVariables from its own
state (a ReadOnly variable Rejected), a 1.6 one ChangeConfiguration/GetConfiguration from its keys, and the 2.x
station's NotifyEvent faults are part of the steady traffic. Commands go through the operator API (`raw` and the
typed configuration commands) while the simulator runs."""

from __future__ import annotations

import asyncio
import uuid

import httpx
import pytest

from csms_devtools.stack import Stack
from csms_kernel.ocpp.versions import OcppVersion
from kit.api import result_of
from kit.stack import connected
from kit.waiting import eventually
from loadtest.simulator.behaviour import Mix
from loadtest.simulator.config import Config, Scenario
from loadtest.simulator.runner import Simulator

pytestmark = pytest.mark.e2e

VARIABLES, ITEMS_PER_PART = 300, 50
COMM = {"name": "OCPPCommCtrlr"}


async def test_simulated_stations_answer_device_management_from_their_state(
    stack: Stack, operator: httpx.AsyncClient
) -> None:
    config = Config(
        url=stack.config.edge_url(0),
        stations=2,
        station_prefix=f"SIMDM{uuid.uuid4().hex[:6]}-",
        mix=((OcppVersion.V16, 1.0), (OcppVersion.V201, 1.0)),
        scenarios=(Scenario.STEADY,),
        duration_s=25.0,
        rate=4.0,
        behaviour=Mix(sessions=False, start_probability=0, status_probability=0, fault_probability=0.5),
        device_variables=VARIABLES,
        report_items_per_message=ITEMS_PER_PART,
        call_timeout_s=20.0,
        storm_timeout_s=60.0,
        provision_address=stack.config.authorization_address,
        provision_tls=stack.config.grpc_tls(),
    )
    simulator = Simulator(config, out=lambda line: None)
    v16, v201 = simulator.stations
    assert (v16.version, v201.version) == (OcppVersion.V16, OcppVersion.V201)
    run = asyncio.create_task(simulator.run())
    try:
        await eventually(lambda: asyncio.sleep(0, len(simulator.phases)), lambda n: n == 2, what="steady phase")
        for station in (v16, v201):
            await connected(stack, station.station_id)

        report = {"action": "GetBaseReport", "payload": {"requestId": 41, "reportBase": "FullInventory"}}
        assert await result_of(operator, v201.station_id, "raw", report) == {"status": "Accepted"}
        parts = VARIABLES // ITEMS_PER_PART
        await eventually(
            lambda: asyncio.sleep(0, simulator.phase().calls["NotifyReport"]),
            lambda sent: sent == parts,
            what="every NotifyReport part sent",
        )

        heartbeat = {"component": COMM, "variable": {"name": "HeartbeatInterval"}}
        profile = {"component": {"name": "SecurityCtrlr"}, "variable": {"name": "SecurityProfile"}}
        changes = [heartbeat | {"attributeValue": "90"}, profile | {"attributeValue": "3"}]
        changed = await result_of(
            operator, v201.station_id, "raw", {"action": "SetVariables", "payload": {"setVariableData": changes}}
        )
        assert [r["attributeStatus"] for r in changed["setVariableResult"]] == ["Accepted", "Rejected"]
        got = await result_of(
            operator,
            v201.station_id,
            "raw",
            {"action": "GetVariables", "payload": {"getVariableData": [heartbeat, profile]}},
        )
        assert [r["attributeValue"] for r in got["getVariableResult"]] == ["90", "1"]

        key = {"key": "OCPPCommCtrlr.HeartbeatInterval", "value": 45}
        assert await result_of(operator, v16.station_id, "set-configuration", key) == {
            "results": [{"key": "OCPPCommCtrlr.HeartbeatInterval", "status": "accepted"}]
        }
        read = await result_of(operator, v16.station_id, "get-configuration", {"keys": ["HeartbeatInterval"]})
        assert read["configuration"] == [{"key": "HeartbeatInterval", "value": "45", "readonly": False}]
        readonly = await result_of(
            operator,
            v16.station_id,
            "raw",
            {"action": "ChangeConfiguration", "payload": {"key": "NumberOfConnectors", "value": "4"}},
        )
        assert readonly == {"status": "Rejected"}
    finally:
        boot, steady = await run

    assert boot.boots_accepted == 2
    assert steady.timeouts == 0 and steady.closed_unexpectedly == 0
    assert steady.calls_by_action["NotifyReport"] == VARIABLES // ITEMS_PER_PART
    assert steady.calls_by_action.get("NotifyEvent", 0) > 0
