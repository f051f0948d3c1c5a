"""Display messages and DataTransfer end to end (docs/adr/0034), through the HTTP API and real stations (the `ocpp`
package's clients):

- a 2.0.1 station: set-display-message twice, clear-display-message once, then get-display-messages after the
  station changed its messages by itself: `/display-messages` follows each step and ends with exactly what the
  station reported in its NotifyDisplayMessages parts; a 1.6 station cannot take display messages (422);
- a 1.6, a 2.0.1 and a 2.1 station: DataTransfers answered by the vendor registry (UnknownVendorId,
  UnknownMessageId, the OCMF vendor's Accepted and Rejected), a data-transfer command to the station, and all of them
  in `/data-transfers` with their answers."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from ocpp.v16 import call as call16
from ocpp.v21 import call as call21
from ocpp.v201 import call as call201

from csms_devtools.stack import Stack
from csms_kernel.ocpp.versions import OcppVersion
from kit.api import answered, problem, register
from kit.builders.ocmf import record
from kit.stack import PASSWORD, connected
from kit.stations.ocpp_client import connected_station
from kit.waiting import eventually

pytestmark = pytest.mark.e2e

V16, V201, V21 = OcppVersion.V16, OcppVersion.V201, OcppVersion.V21
DATA_TRANSFER = {V16: call16.DataTransfer, V201: call201.DataTransfer, V21: call21.DataTransfer}


async def shown(http: httpx.AsyncClient, station_id: str) -> list[tuple[int, str, str]]:
    answer = await http.get(f"/api/v1/stations/{station_id}/display-messages")
    assert answer.status_code == 200, answer.text
    return [(m["id"], m["content"], m["source"].split()[0]) for m in answer.json()]


async def test_display_messages_set_get_clear_on_a_2_0_1_station(
    stack: Stack, admin: httpx.AsyncClient, operator: httpx.AsyncClient
) -> None:
    station_id = await register(admin, "E2E-DISPLAY")
    async with connected_station(stack.config.edge_url(0), station_id, PASSWORD, V201) as station:
        assert (await station.boot()).status == "Accepted"
        await connected(stack, station_id)

        first = {"id": 1, "priority": "always_front", "content": "Willkommen", "language": "de", "state": "idle"}
        assert (await answered(operator, station_id, "set-display-message", first))["result"] == {"status": "accepted"}
        second = {"id": 2, "priority": "normal_cycle", "content": "https://example.com/tariff", "format": "uri"}
        await answered(operator, station_id, "set-display-message", second)
        assert station.display_messages[1]["message"] == {"format": "UTF8", "language": "de", "content": "Willkommen"}
        await eventually(
            lambda: shown(operator, station_id),
            lambda found: found == [(1, "Willkommen", "command"), (2, "https://example.com/tariff", "command")],
            what="both messages shown",
        )

        assert (await answered(operator, station_id, "clear-display-message", {"id": 2}))["result"] == {
            "status": "accepted"
        }
        await eventually(
            lambda: shown(operator, station_id), lambda found: [m[0] for m in found] == [1], what="message 2 cleared"
        )

        # the station changes its messages by itself (message 1 expired, 7 and 8 set locally): a full report wins
        del station.display_messages[1]
        for message_id in (7, 8):
            station.display_messages[message_id] = {
                "id": message_id,
                "priority": "InFront",
                "message": {"format": "ASCII", "content": f"local {message_id}"},
            }
        got = await answered(operator, station_id, "get-display-messages", {})
        assert got["result"] == {"status": "accepted", "request_id": got["params"]["request_id"]}
        assert station.received.calls[-1] == ("GetDisplayMessages", {"requestId": got["params"]["request_id"]})
        await eventually(
            lambda: shown(operator, station_id),
            lambda found: found == [(7, "local 7", "report"), (8, "local 8", "report")],
            what="the station's report replaces what the CSMS knew",
        )


async def test_a_1_6_station_has_no_display_messages(
    stack: Stack, admin: httpx.AsyncClient, operator: httpx.AsyncClient
) -> None:
    station_id = await register(admin, "E2E-DISPLAY16")
    async with connected_station(stack.config.edge_url(0), station_id, PASSWORD, V16) as station:
        assert (await station.boot()).status == "Accepted"
        await connected(stack, station_id)
        answer = await operator.post(
            f"/api/v1/stations/{station_id}/commands/set-display-message",
            json={"id": 1, "priority": "in_front", "content": "x"},
        )
        assert "OCPP 1.6 has no display messages" in problem(answer, 422)["detail"]
        assert station.received.calls == []


async def transfers(http: httpx.AsyncClient, station_id: str) -> list[dict[str, Any]]:
    answer = await http.get(f"/api/v1/stations/{station_id}/data-transfers", params={"limit": 50})
    assert answer.status_code == 200, answer.text
    items: list[dict[str, Any]] = answer.json()["items"]
    return items


@pytest.mark.parametrize("version", [V16, V201, V21])
async def test_data_transfer_answers_per_vendor_registry(
    stack: Stack, admin: httpx.AsyncClient, operator: httpx.AsyncClient, version: OcppVersion
) -> None:
    station_id = await register(admin, f"E2E-DT-{version.schema_dir}")
    async with connected_station(stack.config.edge_url(0), station_id, PASSWORD, version) as station:
        assert (await station.boot()).status == "Accepted"
        await connected(stack, station_id)
        call = DATA_TRANSFER[version]
        sent = [
            (call(vendor_id="NOBODY", message_id="x"), "UnknownVendorId"),
            (call(vendor_id="org.csms.ocmf", message_id="Nope"), "UnknownMessageId"),
            (call(vendor_id="org.csms.ocmf", message_id="SignedMeterValue", data=record()), "Accepted"),
            (call(vendor_id="org.csms.ocmf", message_id="SignedMeterValue", data="OCMF|{}"), "Rejected"),
        ]
        for request, status in sent:
            assert (await station.call(request)).status == status
        out = await answered(
            operator, station_id, "data-transfer", {"vendor_id": "ACME", "message_id": "ping", "data": "hi"}
        )
        assert out["result"]["status"] == "accepted"

    found = await eventually(
        lambda: transfers(operator, station_id),
        lambda items: len(items) == 5 and items[0]["status"] != "sent",
        what="five data transfers logged, the command's with its answer",
    )
    newest_first = [(t["direction"], t["vendor_id"], t["message_id"], t["status"]) for t in found]
    assert newest_first == [
        ("csms_to_station", "ACME", "ping", "accepted"),
        ("station_to_csms", "org.csms.ocmf", "SignedMeterValue", "rejected"),
        ("station_to_csms", "org.csms.ocmf", "SignedMeterValue", "accepted"),
        ("station_to_csms", "org.csms.ocmf", "Nope", "unknown_message_id"),
        ("station_to_csms", "NOBODY", "x", "unknown_vendor_id"),
    ]
    assert found[2]["details"]["energy"] == {"value": "12.055", "unit": "kWh"}
    assert found[1]["details"] == {"problem": "the record must be OCMF|{payload}|{signature}"}
    assert (found[0]["command_id"], found[0]["data"]) == (out["command_id"], "hi")
    assert {t["ocpp_version"] for t in found} == {{V16: "1.6", V201: "2.0.1", V21: "2.1"}[version]}
