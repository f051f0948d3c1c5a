"""CSMS-initiated calls: find the node that holds the station, check the call, and relay it.

The action must be one the CSMS sends in the station's OCPP version and the payload must pass that version's
official request schema (`domain.calls`) before anything is sent; the station's real CALLRESULT or CALLERROR is
returned, or one of the kernel's station-call exceptions (`csms_kernel.clients.station_calls`) says why there is
none. No I/O of its own.
"""

from __future__ import annotations

import json
from typing import Any

import grpc

from csms_device_model.domain.calls import ActionNotSendable, PayloadNotValid, check_call
from csms_device_model.ports import EdgeNodeCalls, Outcome, StationsRepository
from csms_kernel.clients.station_calls import CallFailed, StationOffline
from csms_kernel.ocpp.versions import OcppVersion


class InvalidCall(CallFailed):
    """The action or payload is not valid for the station's OCPP version, or the CSMS does not send the action."""

    default_status = grpc.StatusCode.INVALID_ARGUMENT


class StationBusy(CallFailed):
    """The station has too many calls queued."""

    default_status = grpc.StatusCode.RESOURCE_EXHAUSTED


class StationCommands:
    def __init__(self, repository: StationsRepository, edges: EdgeNodeCalls, default_timeout_s: float) -> None:
        self._repository = repository
        self._edges = edges
        self._default_timeout_s = default_timeout_s

    async def send_call(self, station_id: str, action: str, payload_json: str, timeout_s: float | None) -> Outcome:
        presence = await self._repository.presence(station_id)
        if presence is None or not presence.connected:
            raise StationOffline(f"station {station_id} is offline")
        version = OcppVersion(presence.ocpp_version)
        payload = _parse_payload(payload_json)
        try:
            check_call(version, action, payload)
        except (ActionNotSendable, PayloadNotValid) as exc:
            raise InvalidCall(str(exc)) from exc
        timeout = timeout_s if timeout_s and timeout_s > 0 else self._default_timeout_s
        return await self._edges.send_call(presence, station_id, action, json.dumps(payload), timeout)


def _parse_payload(payload_json: str) -> dict[str, Any]:
    try:
        payload = json.loads(payload_json or "{}")
    except ValueError as exc:
        raise InvalidCall(f"payload is not valid JSON: {exc}") from exc
    if not isinstance(payload, dict):
        raise InvalidCall("payload must be a JSON object")
    return payload
