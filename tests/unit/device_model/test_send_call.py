"""CSMS-initiated calls: offline, invalid action/payload per version, relayed outcome and timeout."""

from __future__ import annotations

import pytest

from csms_device_model.app.send_call import InvalidCall, StationCommands
from csms_device_model.domain.presence import Presence
from csms_device_model.ports import CallResult
from csms_kernel.clients.station_calls import StationOffline
from kit.fakes.device_model import InMemoryStationsRepository, ScriptedEdge

ONLINE_16 = Presence(True, "edge-1", "c1", "127.0.0.1:50060", "ocpp1.6")


def commands(presence: Presence | None, edge: ScriptedEdge) -> StationCommands:
    repo = InMemoryStationsRepository()
    if presence is not None:
        repo.presences["CS-1"] = presence
    return StationCommands(repo, edge, default_timeout_s=30)


async def test_relays_a_valid_call_to_the_node_holding_the_station() -> None:
    edge = ScriptedEdge(CallResult("m1", '{"status":"Accepted"}'))
    outcome = await commands(ONLINE_16, edge).send_call("CS-1", "Reset", '{"type":"Soft"}', None)
    assert outcome == CallResult("m1", '{"status":"Accepted"}')
    assert edge.calls == [(ONLINE_16, "CS-1", "Reset", '{"type": "Soft"}', 30)]


@pytest.mark.parametrize("presence", [None, Presence(False, "edge-1", "c1", "a", "ocpp1.6")])
async def test_offline(presence: Presence | None) -> None:
    with pytest.raises(StationOffline, match="CS-1 is offline"):
        await commands(presence, ScriptedEdge(CallResult("m", "{}"))).send_call("CS-1", "Reset", "{}", 5)


@pytest.mark.parametrize(
    ("action", "payload", "message"),
    [
        ("Reset", '{"type":"Immediate"}', "not valid for ocpp1.6"),
        ("GetBaseReport", '{"requestId":1,"reportBase":"FullInventory"}', "not an action of ocpp1.6"),
        ("BootNotification", '{"chargePointVendor":"A","chargePointModel":"B"}', "sent by stations to the CSMS"),
        ("Reset", "{nope", "not valid JSON"),
        ("Reset", "[1]", "must be a JSON object"),
    ],
)
async def test_invalid_calls_are_refused_before_sending(action: str, payload: str, message: str) -> None:
    edge = ScriptedEdge(CallResult("m", "{}"))
    with pytest.raises(InvalidCall, match=message):
        await commands(ONLINE_16, edge).send_call("CS-1", action, payload, 5)
    assert edge.calls == []
