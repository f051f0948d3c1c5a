"""The device model inventory on the real Cassandra (migrated schema): NotifyReport parts projected in any order,
with a part repeated, read back exact through `CassandraDeviceModelInventory`, filtered and paged; the report's
progress (unsolicited until its command's event, then complete; requested; failed); set results on top of a
report converge by event time whatever order they are applied in."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta

import pytest

from csms.device_model.v1 import device_model_pb2 as dm
from csms_device_model.adapters.inventory import CassandraDeviceModelInventory
from csms_device_model.domain.commands.messages import event
from csms_device_model.domain.commands.record import CommandRecord, CommandState, OcppCall
from csms_device_model.ports import VariableFilter
from csms_device_model.projections import device
from csms_kernel.infra.cassandra import CassandraSession
from csms_kernel.infra.envelopes import timestamp
from csms_kernel.ocpp.versions import OcppVersion
from csms_kernel.projecting.writes import CassandraWriter
from kit.builders.device_model import a_command

pytestmark = pytest.mark.integration

T0 = datetime.now(UTC).replace(microsecond=0)
COMPONENTS = ("AlignedDataCtrlr", "EVSE", "OCPPCommCtrlr", "TxCtrlr")


def report_variables(count: int) -> list[dm.ReportedVariable]:
    """`count` variables over four components, each with an Actual attribute; every third also MaxSet and
    characteristics; EVSE variables on EVSE 1 or 2."""
    found = []
    for i in range(count):
        component = COMPONENTS[i % 4]
        attributes = [dm.ReportedAttribute(type="Actual", value=f"v{i}", mutability="ReadWrite", persistent=True)]
        variable = dm.ReportedVariable(component=component, variable=f"Var{i:04d}", attributes=attributes)
        if component == "EVSE":
            variable.evse_id = 1 + i % 2
        if i % 3 == 0:
            variable.attributes.add(type="MaxSet", value=str(i * 10), mutability="ReadOnly", constant=True)
            variable.characteristics.CopyFrom(dm.VariableCharacteristics(unit="s", data_type="integer", max_limit=i))
        found.append(variable)
    return found


def parts(station: str, request_id: int, variables: list[dm.ReportedVariable], size: int) -> list[dm.DeviceModelEvent]:
    chunks = [variables[i : i + size] for i in range(0, len(variables), size)]
    return [
        dm.DeviceModelEvent(
            station_id=station,
            message_id=f"m-{seq_no}",
            occurred_at=timestamp(T0 + timedelta(milliseconds=seq_no)),
            report_part_received=dm.ReportPartReceived(
                request_id=request_id,
                seq_no=seq_no,
                tbc=seq_no < len(chunks) - 1,
                generated_at=timestamp(T0),
                variables=chunk,
            ),
        )
        for seq_no, chunk in enumerate(chunks)
    ]


def expected_rows(variables: list[dm.ReportedVariable]) -> set[tuple[object, ...]]:
    return {
        (v.component, v.evse_id if v.HasField("evse_id") else None, v.variable, a.type, a.value, a.mutability)
        for v in variables
        for a in v.attributes
    }


def rows(found: list[dm.DeviceVariable]) -> set[tuple[object, ...]]:
    return {
        (v.component, v.evse_id if v.HasField("evse_id") else None, v.variable, v.attribute_type, v.value, v.mutability)
        for v in found
    }


async def test_a_report_in_parts_out_of_order_with_a_repeat_is_read_back_exact(session: CassandraSession) -> None:
    station = f"IT-INV-{uuid.uuid4().hex[:8]}"
    writer = CassandraWriter(session, "csms_device_model")
    inventory = CassandraDeviceModelInventory(session)
    variables = report_variables(300)
    first, second, third, last = parts(station, 42, variables, 80)
    for batch in ([last, first], [third, first], [second]):
        await writer.apply(device.writes(batch, None))
    (unsolicited,) = await inventory.reports(station)
    assert (unsolicited.state, unsolicited.parts_received, unsolicited.last_seq_no) == ("unsolicited", 4, 3)
    assert unsolicited.complete_parts and unsolicited.variables_received == 300

    command = a_command(
        station_id=station,
        command="get-base-report",
        params={"report_base": "full_inventory", "request_id": 42},
        ocpp_version=OcppVersion.V201,
        calls=(OcppCall("GetBaseReport", {"requestId": 42, "reportBase": "FullInventory"}),),
        created_at=T0 - timedelta(seconds=2),
    )
    sent = command.sending(T0 - timedelta(seconds=1), OcppVersion.V201, command.calls)
    await writer.apply(device.writes([event(sent, CommandState.SENT)], None))
    (report,) = await inventory.reports(station)
    assert (report.state, report.command_id, report.command, report.missing_seq_nos) == (
        "complete",
        "cmd-1",
        "get-base-report",
        [],
    )

    everything, token = await inventory.variables(station, VariableFilter(), 1000, "")
    assert token == "" and len(everything) == 400
    assert rows(everything) == expected_rows(variables)
    var3 = next(v for v in everything if v.variable == "Var0003" and v.attribute_type == "MaxSet")
    assert (var3.value, var3.constant, var3.characteristics.unit, var3.characteristics.max_limit) == (
        "30",
        True,
        "s",
        3,
    )
    assert var3.report_request_id == 42 and var3.HasField("reported_at")

    paged, token = [], ""
    while True:
        page, token = await inventory.variables(station, VariableFilter(), 37, token)
        paged += page
        if not token:
            break
    assert paged == everything

    evse_2, token = await inventory.variables(
        station, VariableFilter(component="EVSE", evse_id=2, attribute_type="Actual"), 1000, ""
    )
    assert token == "" and rows(evse_2) == {
        r for r in expected_rows(variables) if r[0] == "EVSE" and r[1] == 2 and r[3] == "Actual"
    }
    one, _ = await inventory.variables(station, VariableFilter(variable="Var0007"), 10, "")
    assert [(v.component, v.variable) for v in one] == [("TxCtrlr", "Var0007")]
    filtered_pages, token = [], ""
    while True:
        page, token = await inventory.variables(station, VariableFilter(component="TxCtrlr"), 10, token)
        filtered_pages += page
        if not token:
            break
    assert rows(filtered_pages) == {r for r in expected_rows(variables) if r[0] == "TxCtrlr"}
    with pytest.raises(ValueError, match="invalid page token"):
        await inventory.variables(station, VariableFilter(), 10, "not-a-token")


async def test_requested_failed_and_set_results_on_top_of_a_report(session: CassandraSession) -> None:
    station = f"IT-INV-{uuid.uuid4().hex[:8]}"
    writer = CassandraWriter(session, "csms_device_model")
    inventory = CassandraDeviceModelInventory(session)

    def report_command(request_id: int) -> CommandRecord:
        params = {"report_base": "summary_inventory", "request_id": request_id}
        record = a_command(
            command_id=f"cmd-{request_id}",
            station_id=station,
            command="get-base-report",
            params=params,
            ocpp_version=OcppVersion.V21,
            created_at=T0,
        )
        return record.sending(T0 + timedelta(seconds=request_id), OcppVersion.V21, record.calls)

    asked = report_command(1)
    rejected = report_command(2)
    rejected_done = rejected.answered(T0 + timedelta(seconds=5), (), {"status": "rejected"}, None)
    await writer.apply(
        device.writes([event(asked, CommandState.SENT), event(rejected_done, CommandState.ANSWERED)], None)
    )
    states = {r.request_id: (r.state, r.answer_status) for r in await inventory.reports(station)}
    assert states == {1: ("requested", ""), 2: ("failed", "rejected")}

    reported = parts(station, 1, report_variables(4), 10)
    heartbeat = {"component": {"name": "OCPPCommCtrlr"}, "variable": {"name": "Var0002"}}
    set_call = OcppCall("SetVariables", {"setVariableData": [{"attributeValue": "new", **heartbeat}]})
    command = a_command(
        command_id="cmd-set", station_id=station, command="set-configuration", ocpp_version=OcppVersion.V21
    )
    later = T0 + timedelta(seconds=30)
    set_done = command.sending(later, OcppVersion.V21, (set_call,)).answered(
        later, ([3, "m", {"setVariableResult": [{"attributeStatus": "Accepted", **heartbeat}]}],), {}, None
    )
    # The set (later) is applied before the report (earlier): the value set stays.
    await writer.apply(device.writes([event(set_done, CommandState.ANSWERED)], None))
    await writer.apply(device.writes(reported, None))
    (found,), _ = await inventory.variables(station, VariableFilter(variable="Var0002"), 10, "")
    assert (found.value, found.set_value, found.set_status, found.set_command_id) == (
        "new",
        "new",
        "Accepted",
        "cmd-set",
    )
    assert (found.mutability, found.report_request_id) == ("ReadWrite", 1)
    assert json.loads(next(r for r in await inventory.reports(station) if r.request_id == 1).params_json) == {
        "report_base": "summary_inventory",
        "request_id": 1,
    }
    assert {r.request_id: r.state for r in await inventory.reports(station)} == {1: "complete", 2: "failed"}
