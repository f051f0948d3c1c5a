"""The load manager's ProfilePusher over the service's profile requests: each TxProfile is claimed under its
request key, handed to device-model with `wait`, and reported installed only once the station accepted it
(a refusal: not installed; no answer in time: unknown, the station may still install it; either way the raises
of that recompute stay unsent). A site's
TxDefaultProfiles (`push_default`) are queued for a station that is offline, which gets them when it connects.
Side effects: ProfileRequests' (Cassandra, gRPC to device-model, Kafka)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from csms.smart_charging.v1 import smart_charging_pb2
from csms_smart_charging.app.profiles import ProfileRequests


class RequestsPusher:
    def __init__(self, requests: ProfileRequests) -> None:
        self._requests = requests

    async def push(self, station_id: str, evse_id: int, profile: Mapping[str, Any], *, request_key: str) -> bool | None:
        answer = await self._requests.set_profile(
            station_id,
            evse_id,
            profile,
            request_key=request_key,
            origin=smart_charging_pb2.REQUEST_ORIGIN_LOAD,
            wait=True,
        )
        return answer.accepted if answer.answered else None

    async def push_default(
        self, station_id: str, evse_id: int, profile: Mapping[str, Any], *, request_key: str
    ) -> bool:
        answer = await self._requests.set_profile(
            station_id,
            evse_id,
            profile,
            request_key=request_key,
            origin=smart_charging_pb2.REQUEST_ORIGIN_LOAD,
            queue_if_offline=True,
            wait=True,
        )
        return answer.accepted
