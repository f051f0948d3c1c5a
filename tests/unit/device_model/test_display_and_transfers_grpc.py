"""ListDisplayMessages and ListDataTransfers of the wired servicer: the read models as the contract's messages,
pages, and refusals with their status."""

from __future__ import annotations

from datetime import timedelta

import grpc
import pytest

from csms.device_model.v1 import device_model_pb2 as pb
from csms_device_model.adapters.display_and_transfers import decode_page_token, encode_page_token
from csms_device_model.api.grpc_api import DeviceModelServicer
from csms_device_model.bootstrap import build
from kit.builders.device_model import NOW, SETTINGS
from kit.fakes.device_model import InMemoryDisplayAndTransfers, InMemoryStationsRepository, ScriptedEdge
from kit.fakes.grpc_context import CONTEXT, Aborted


def servicer(reads: InMemoryDisplayAndTransfers) -> DeviceModelServicer:
    api = build(
        SETTINGS,
        clock=lambda: NOW,
        repository=InMemoryStationsRepository(),
        edges=ScriptedEdge(RuntimeError("no station calls")),
        display_messages=reads,
        data_transfers=reads,
    ).grpc
    assert api is not None
    found: DeviceModelServicer = api.servicer
    return found


async def test_a_stations_display_messages() -> None:
    messages = [pb.DisplayMessage(id=2, content="b"), pb.DisplayMessage(id=1, content="a")]
    answer = await servicer(InMemoryDisplayAndTransfers(messages={"CS-1": messages})).ListDisplayMessages(
        pb.ListDisplayMessagesRequest(station_id="CS-1"), CONTEXT
    )
    assert [m.content for m in answer.messages] == ["a", "b"]
    none = await servicer(InMemoryDisplayAndTransfers()).ListDisplayMessages(
        pb.ListDisplayMessagesRequest(station_id="CS-9"), CONTEXT
    )
    assert list(none.messages) == []


async def test_a_message_past_its_end_is_not_shown_any_more() -> None:
    ended, ending, open_ended = (pb.DisplayMessage(id=n, content=f"m{n}") for n in (1, 2, 3))
    ended.end_at.FromDatetime(NOW - timedelta(seconds=1))
    ending.end_at.FromDatetime(NOW + timedelta(seconds=1))
    reads = InMemoryDisplayAndTransfers(messages={"CS-1": [ended, ending, open_ended]})
    answer = await servicer(reads).ListDisplayMessages(pb.ListDisplayMessagesRequest(station_id="CS-1"), CONTEXT)
    assert [m.id for m in answer.messages] == [2, 3]


async def test_data_transfers_page_by_page() -> None:
    transfers = [pb.DataTransfer(station_id="CS-1", transfer_id=f"m-{n}") for n in range(3)]
    api = servicer(InMemoryDisplayAndTransfers(transfers={"CS-1": transfers}))
    first = await api.ListDataTransfers(pb.ListDataTransfersRequest(station_id="CS-1", page_size=2), CONTEXT)
    second = await api.ListDataTransfers(
        pb.ListDataTransfersRequest(station_id="CS-1", page_size=2, page_token=first.next_page_token), CONTEXT
    )
    assert [t.transfer_id for t in [*first.transfers, *second.transfers]] == ["m-0", "m-1", "m-2"]
    assert second.next_page_token == ""


async def test_refusals() -> None:
    api = servicer(InMemoryDisplayAndTransfers())
    with pytest.raises(Aborted) as no_station:
        await api.ListDataTransfers(pb.ListDataTransfersRequest(), CONTEXT)
    with pytest.raises(Aborted) as bad_token:
        await api.ListDataTransfers(pb.ListDataTransfersRequest(station_id="CS-1", page_token="zz"), CONTEXT)
    with pytest.raises(Aborted) as no_station_messages:
        await api.ListDisplayMessages(pb.ListDisplayMessagesRequest(), CONTEXT)
    assert (no_station.value.code, no_station.value.details) == (
        grpc.StatusCode.INVALID_ARGUMENT,
        "station_id is required",
    )
    assert (bad_token.value.code, bad_token.value.details) == (grpc.StatusCode.INVALID_ARGUMENT, "invalid page_token")
    assert no_station_messages.value.code == grpc.StatusCode.INVALID_ARGUMENT


def test_the_cassandra_page_token_names_the_last_row_of_its_station() -> None:
    token = encode_page_token("CS-1", NOW, "m-7")
    assert decode_page_token(token, "CS-1") == (NOW, "m-7")
    for bad, station in ((token, "CS-2"), ("%%%", "CS-1"), ("e30=", "CS-1")):
        with pytest.raises(ValueError, match="invalid page token"):
            decode_page_token(bad, station)
