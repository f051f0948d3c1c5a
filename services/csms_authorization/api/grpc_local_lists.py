"""The local authorization list RPCs of AuthorizationService: push the list, refresh and show a station's
list version. Part of the one servicer (`grpc_api.AuthorizationServicer`). No I/O of its own."""

from __future__ import annotations

import grpc

from csms.authorization.v1 import authorization_pb2 as pb
from csms_authorization.adapters.store import StoreUnavailable
from csms_authorization.api.grpc_common import Context, abort, unavailable
from csms_authorization.app.local_list_service import LocalListService, PushOutcome, PushResult, UnknownGroup
from csms_authorization.domain.credentials import InvalidCredentials
from csms_authorization.domain.stations import check_group
from csms_kernel.clients.station_calls import CallErrorAnswer, CallFailed, CallTimedOut, StationOffline
from csms_kernel.infra.envelopes import timestamp

LOCAL_LIST = "local list store"

_OUTCOMES: dict[PushOutcome, pb.PushOutcome.ValueType] = {
    PushOutcome.ACCEPTED: pb.PUSH_OUTCOME_ACCEPTED,
    PushOutcome.FAILED: pb.PUSH_OUTCOME_FAILED,
    PushOutcome.VERSION_MISMATCH: pb.PUSH_OUTCOME_VERSION_MISMATCH,
    PushOutcome.NOT_SUPPORTED: pb.PUSH_OUTCOME_NOT_SUPPORTED,
    PushOutcome.OFFLINE: pb.PUSH_OUTCOME_OFFLINE,
    PushOutcome.TIMEOUT: pb.PUSH_OUTCOME_TIMEOUT,
    PushOutcome.ERROR: pb.PUSH_OUTCOME_ERROR,
}


class LocalListRpcs:
    def __init__(self, service: LocalListService) -> None:
        self._local_lists = service

    async def PushLocalList(self, request: pb.PushLocalListRequest, context: Context) -> pb.PushLocalListResponse:
        timeout_s = request.timeout_ms / 1000 if request.timeout_ms else None
        target = request.WhichOneof("target")
        try:
            if target == "station_id" and request.station_id:
                results = [await self._local_lists.push_to_station(request.station_id, request.differential, timeout_s)]
            elif target == "station_group":
                check_group(request.station_group)
                results = await self._local_lists.push_to_group(request.station_group, request.differential, timeout_s)
            else:
                await abort(context, grpc.StatusCode.INVALID_ARGUMENT, "a station_id or a station_group is required")
        except InvalidCredentials as exc:
            await abort(context, grpc.StatusCode.INVALID_ARGUMENT, str(exc))
        except UnknownGroup:
            await abort(context, grpc.StatusCode.NOT_FOUND, f"no station in group {request.station_group}")
        except StoreUnavailable as exc:
            await unavailable(context, LOCAL_LIST, exc)
        return pb.PushLocalListResponse(results=[_result(r) for r in results])

    async def RefreshLocalListVersion(
        self, request: pb.RefreshLocalListVersionRequest, context: Context
    ) -> pb.RefreshLocalListVersionResponse:
        timeout_s = request.timeout_ms / 1000 if request.timeout_ms else None
        try:
            version = await self._local_lists.refresh_version(request.station_id, timeout_s)
        except StationOffline as exc:
            await abort(context, grpc.StatusCode.FAILED_PRECONDITION, str(exc))
        except CallTimedOut as exc:
            await abort(context, grpc.StatusCode.DEADLINE_EXCEEDED, str(exc))
        except CallErrorAnswer as exc:
            await abort(context, grpc.StatusCode.ABORTED, f"the station answered CALLERROR {exc}")
        except CallFailed as exc:
            await abort(context, grpc.StatusCode.UNAVAILABLE, str(exc))
        except StoreUnavailable as exc:
            await unavailable(context, LOCAL_LIST, exc)
        return pb.RefreshLocalListVersionResponse(version_number=version)

    async def GetLocalListStatus(
        self, request: pb.GetLocalListStatusRequest, context: Context
    ) -> pb.GetLocalListStatusResponse:
        try:
            list_version, held = await self._local_lists.status(request.station_id)
        except StoreUnavailable as exc:
            await unavailable(context, LOCAL_LIST, exc)
        response = pb.GetLocalListStatusResponse(list_version=list_version)
        if held is not None:
            response.station_version_known = True
            response.station_version = held.version
            response.station_version_recorded_at.CopyFrom(timestamp(held.recorded_at))
        return response


def _result(result: PushResult) -> pb.LocalListPushResult:
    return pb.LocalListPushResult(
        station_id=result.station_id,
        outcome=_OUTCOMES[result.outcome],
        detail=result.detail,
        version_number=result.version_number,
        entries=result.entries,
    )
