"""The local list on the real stack, pushed to stations that take few entries per message: a 1.6 station
reporting SendLocalListMaxLength 1 (GetConfiguration) and a 2.0.1 station reporting ItemsPerMessage 2
(GetVariables) get the list as a Full message followed by Differential ones with increasing versions, end up
holding all of it, and the CSMS records the version they hold."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from ocpp.routing import on
from ocpp.v16 import call_result as result16
from ocpp.v201 import call_result as result201

from csms.authorization.v1 import authorization_pb2 as pb
from csms.authorization.v1 import authorization_pb2_grpc
from csms_devtools.stack import Stack
from csms_kernel.ocpp.versions import OcppVersion
from kit.stack import PASSWORD, connected
from kit.stations.ocpp_client import STATION_CLASSES, Station16, Station201, connected_station

pytestmark = pytest.mark.e2e


class Limited16(Station16):
    @on("GetConfiguration")
    def on_get_configuration(self, key: list[str] | None = None) -> result16.GetConfiguration:
        self.received.calls.append(("GetConfiguration", {"key": key}))
        known = [{"key": "SendLocalListMaxLength", "readonly": True, "value": "1"}]
        return result16.GetConfiguration(
            configuration_key=known, unknown_key=[k for k in key or [] if k != "SendLocalListMaxLength"]
        )


class Limited201(Station201):
    @on("GetVariables")
    def on_get_variables(self, get_variable_data: list[dict[str, Any]], **kwargs: Any) -> Any:
        self.received.calls.append(("GetVariables", {"getVariableData": get_variable_data}))
        results = []
        for asked in get_variable_data:
            if asked["variable"]["name"] == "ItemsPerMessage":
                results.append({"attribute_status": "Accepted", "attribute_value": "2", **asked})
            else:
                results.append({"attribute_status": "UnknownVariable", **asked})
        return result201.GetVariables(get_variable_result=results)


async def test_a_list_over_the_station_limits_goes_in_several_messages(
    stack: Stack, authorization: authorization_pb2_grpc.AuthorizationServiceStub, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(STATION_CLASSES, OcppVersion.V16, Limited16)
    monkeypatch.setitem(STATION_CLASSES, OcppVersion.V201, Limited201)
    run = uuid.uuid4().hex[:8].upper()
    group = f"e2e-limits-{run}"
    ids = {OcppVersion.V16: f"E2E-LIM16-{run}", OcppVersion.V201: f"E2E-LIM201-{run}"}
    tokens = [f"LL{run}{n}" for n in range(3)]
    for station_id in ids.values():
        await authorization.RegisterStation(
            pb.RegisterStationRequest(station_id=station_id, password=PASSWORD, security_profile=1, group=group)
        )
    for id_token in tokens:
        await authorization.UpsertIdToken(
            pb.UpsertIdTokenRequest(id_token=id_token, type=pb.ID_TOKEN_TYPE_KEY_CODE, local_list=True)
        )
    try:
        async with (
            connected_station(stack.config.edge_url(0), ids[OcppVersion.V16], PASSWORD, OcppVersion.V16) as s16,
            connected_station(stack.config.edge_url(1), ids[OcppVersion.V201], PASSWORD, OcppVersion.V201) as s201,
        ):
            for station in (s16, s201):
                assert (await station.boot()).status == "Accepted"
                await connected(stack, station.id)

            pushed = await authorization.PushLocalList(pb.PushLocalListRequest(station_group=group, timeout_ms=15000))

            # The list holds every local list token of the shared database (other tests change it meanwhile):
            # only lower bounds are known.
            results = {r.station_id: r for r in pushed.results}
            for station, per_message in ((s16, 1), (s201, 2)):
                result = results[station.id]
                assert result.outcome == pb.PUSH_OUTCOME_ACCEPTED, result
                assert result.entries >= 3
                sent = [call for name, call in station.received.calls if name == "SendLocalList"]
                assert len(sent) >= -(-result.entries // per_message) >= 2
                assert result.detail == f"full, {len(sent)} messages"
                assert [c["updateType"] for c in sent] == ["Full"] + ["Differential"] * (len(sent) - 1)
                numbers = [c.get("listVersion", c.get("versionNumber")) for c in sent]
                assert numbers == sorted(set(numbers)) and numbers[-1] == result.version_number
                assert station.local_list.version == result.version_number
                assert set(tokens) <= set(station.local_list.entries)
                status = await authorization.GetLocalListStatus(pb.GetLocalListStatusRequest(station_id=station.id))
                assert (status.station_version_known, status.station_version) == (True, result.version_number)
            assert s16.received.calls[0][0] == "GetConfiguration"
            assert s201.received.calls[0][0] == "GetVariables"
    finally:
        for id_token in tokens:
            await authorization.DeleteIdToken(pb.DeleteIdTokenRequest(id_token=id_token))
