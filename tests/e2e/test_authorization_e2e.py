"""Id tokens and local lists on the real stack: tokens added and blocked with the CLI are decided on every
version (Authorize), and the local list is pushed (full, then differential) to a 1.6 and a 2.0.1 station of
one group, with the version each station holds tracked by the CSMS."""

from __future__ import annotations

import asyncio
import json
import uuid
from typing import Any

import pytest
from google.protobuf.timestamp_pb2 import Timestamp

from csms.authorization.v1 import authorization_pb2 as pb
from csms.authorization.v1 import authorization_pb2_grpc
from csms_devtools.stack import Stack
from csms_kernel.ocpp.versions import OcppVersion
from kit.stack import PASSWORD, Cli, connected
from kit.stations.ocpp_client import connected_station

EXPIRES = "2031-01-02T03:04:05Z"
EXPIRES_OCPP = "2031-01-02T03:04:05.000Z"


async def csms(cli: Cli, *args: str, stdin: str = "") -> str:
    result = await asyncio.to_thread(cli, *args, stdin=stdin)
    assert result.returncode == 0, (args, result.stdout, result.stderr)
    return result.stdout


@pytest.mark.parametrize("version", list(OcppVersion))
async def test_unknown_blocked_and_accepted_tokens_on_each_version(
    stack: Stack, authorization: authorization_pb2_grpc.AuthorizationServiceStub, version: OcppVersion
) -> None:
    # Set up over gRPC (the CLI's own end-to-end run is in the local list test: it costs a process per call).
    run = uuid.uuid4().hex[:8].upper()
    station_id, accepted, blocked, unknown = f"E2E-AUTH-{run}", f"OK{run}", f"BL{run}", f"NO{run}"
    await authorization.RegisterStation(
        pb.RegisterStationRequest(station_id=station_id, password=PASSWORD, security_profile=1)
    )
    expires = Timestamp()
    expires.FromJsonString(EXPIRES)
    await authorization.UpsertIdToken(
        pb.UpsertIdTokenRequest(
            id_token=accepted.lower(), type=pb.ID_TOKEN_TYPE_ISO14443, expires_at=expires, group_id_token=f"G{run}"
        )
    )
    await authorization.UpsertIdToken(pb.UpsertIdTokenRequest(id_token=blocked, type=pb.ID_TOKEN_TYPE_ISO14443))
    await authorization.BlockIdToken(pb.BlockIdTokenRequest(id_token=blocked))

    async with connected_station(stack.config.edge_url(0), station_id, PASSWORD, version) as station:
        assert (await station.boot()).status == "Accepted"
        if version is OcppVersion.V16:
            answers = [(await station.authorize(t)).id_tag_info for t in (unknown, blocked, accepted)]
            assert answers == [
                {"status": "Invalid"},
                {"status": "Blocked"},
                {"status": "Accepted", "expiry_date": EXPIRES_OCPP, "parent_id_tag": f"G{run}"},
            ]
        else:
            answers = [(await station.authorize(t, "ISO14443")).id_token_info for t in (unknown, blocked, accepted)]
            assert answers == [
                {"status": "Unknown"},
                {"status": "Blocked"},
                {
                    "status": "Accepted",
                    "cache_expiry_date_time": EXPIRES_OCPP,
                    "group_id_token": {"id_token": f"G{run}", "type": "Central"},
                },
            ]


async def push(cli: Cli, *args: str) -> dict[str, dict[str, Any]]:
    return {row["station_id"]: row for row in json.loads(await csms(cli, "local-list", "push", *args, "--json"))}


async def test_local_list_full_then_differential_with_tracked_versions(
    stack: Stack, cli: Cli, authorization: authorization_pb2_grpc.AuthorizationServiceStub
) -> None:
    run = uuid.uuid4().hex[:8].upper()
    group = f"e2e-site-{run}"
    ids = {OcppVersion.V16: f"E2E-LL16-{run}", OcppVersion.V201: f"E2E-LL201-{run}"}
    one, two, three = f"LA{run}", f"LB{run}", f"LC{run}"
    for station_id in ids.values():
        await csms(cli, "stations", "add", station_id, "--password-stdin", "--group", group, stdin=PASSWORD)
    await csms(cli, "tokens", "add", one, "--type", "ISO14443", "--local-list", "--expires", EXPIRES, "--group", "G1")
    assert await csms(cli, "tokens", "add", two, "--type", "ISO15693", "--local-list") == f"added {two}\n"
    listed = {t["id_token"]: t for t in json.loads(await csms(cli, "tokens", "list", "--json"))}
    assert (listed[one]["expires_at"], listed[one]["group_id_token"], listed[two]["type"]) == (
        EXPIRES,
        "G1",
        "ISO15693",
    )
    assert listed[one]["local_list"] and listed[two]["local_list"]
    try:
        async with (
            connected_station(stack.config.edge_url(0), ids[OcppVersion.V16], PASSWORD, OcppVersion.V16) as s16,
            connected_station(stack.config.edge_url(1), ids[OcppVersion.V201], PASSWORD, OcppVersion.V201) as s201,
        ):
            for station in (s16, s201):
                assert (await station.boot()).status == "Accepted"
                await connected(stack, station.id)

            full = await push(cli, "--group", group)
            version = full[s16.id]["version"]
            assert {sid: (row["result"], row["version"], row["detail"]) for sid, row in full.items()} == {
                s16.id: ("Accepted", version, "full"),
                s201.id: ("Accepted", version, "full"),
            }
            assert s16.local_list.version == s201.local_list.version == version
            assert (s16.local_list.entries[one], s16.local_list.entries[two]) == (
                {"status": "Accepted", "expiry_date": EXPIRES_OCPP, "parent_id_tag": "G1"},
                {"status": "Accepted"},
            )
            assert (s201.local_list.entries[one], s201.local_list.entries[two]) == (
                {
                    "status": "Accepted",
                    "cache_expiry_date_time": EXPIRES_OCPP,
                    "group_id_token": {"id_token": "G1", "type": "Central"},
                },
                {"status": "Accepted"},
            )

            assert await csms(cli, "tokens", "block", two) == f"blocked {two}\n"
            await csms(cli, "tokens", "add", three, "--type", "KeyCode", "--local-list")
            await csms(cli, "tokens", "add", one, "--type", "ISO14443")  # leaves the list
            differential = await push(cli, "--group", group, "--differential")
            new_version = differential[s16.id]["version"]
            assert new_version >= version + 3
            assert {sid: (row["result"], row["version"], row["detail"]) for sid, row in differential.items()} == {
                s16.id: ("Accepted", new_version, f"differential since {version}"),
                s201.id: ("Accepted", new_version, f"differential since {version}"),
            }
            assert [call for call in s201.received.calls if call[0] == "SendLocalList"] == [
                ("SendLocalList", {"versionNumber": version, "updateType": "Full"}),
                ("SendLocalList", {"versionNumber": new_version, "updateType": "Differential"}),
            ]
            for station in (s16, s201):
                assert station.local_list.version == new_version
                assert one not in station.local_list.entries
                assert station.local_list.entries[two] == {"status": "Blocked"}
                assert station.local_list.entries[three] == {"status": "Accepted"}

            for station in (s16, s201):
                shown = await csms(cli, "local-list", "version", station.id)
                assert shown.startswith(f"{station.id} holds local list version {new_version} (current list: version ")
                status = await authorization.GetLocalListStatus(pb.GetLocalListStatusRequest(station_id=station.id))
                assert (status.station_version_known, status.station_version) == (True, new_version)
                assert status.list_version >= new_version
    finally:
        for id_token in (one, two, three):
            await authorization.DeleteIdToken(pb.DeleteIdTokenRequest(id_token=id_token))
