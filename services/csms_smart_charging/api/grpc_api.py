"""The SmartChargingService gRPC servicer: profile commands (handed to app/profiles.py) and each station's profile
view (read model folded by domain/view.py). A station id or params that are not a JSON object is
INVALID_ARGUMENT; device-model's refusal keeps its status (INVALID_ARGUMENT: params it cannot send to the
station's version, NOT_FOUND: unknown station, FAILED_PRECONDITION: offline without queue_if_offline,
UNAVAILABLE: device-model unreachable); a profile overlapping one installed (another id, same EVSE, purpose and
stack level, valid at the same time) is FAILED_PRECONDITION naming it; a request key used for another request is
ALREADY_EXISTS; Kafka unreachable is UNAVAILABLE.

Sites (load/app/sites.py): a bad definition, site id, limit or page token is INVALID_ARGUMENT with the reason, an
unknown site NOT_FOUND, an EVSE already on another site FAILED_PRECONDITION naming it, the site storage or Kafka
unreachable UNAVAILABLE."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import datetime
from typing import Any

import grpc

from csms.smart_charging.v1 import smart_charging_pb2, smart_charging_pb2_grpc
from csms_kernel.clients.station_commands import CommandRefused
from csms_kernel.infra.envelopes import to_datetime
from csms_kernel.ocpp.station_ids import InvalidStationId, check_station_id
from csms_kernel.outbox.relay import EventLogUnavailable
from csms_smart_charging.app.profiles import MAX_REQUEST_KEY, KeyConflict, ProfileRequests
from csms_smart_charging.domain.view import overlapping, station_view
from csms_smart_charging.load.app.loop import UnknownSite
from csms_smart_charging.load.app.sites import SiteAdmin, SiteAnswer
from csms_smart_charging.load.domain.site import BadSite
from csms_smart_charging.load.domain.sites import site_message
from csms_smart_charging.load.ports import EvseTaken, InvalidPageToken, SitesUnavailable
from csms_smart_charging.ports import StationEvents

Context = grpc.aio.ServicerContext[Any, Any]
Request = smart_charging_pb2.ProfileCommandRequest
Response = smart_charging_pb2.ProfileCommandResponse
SiteResponse = smart_charging_pb2.SiteResponse


class SmartChargingServicer(smart_charging_pb2_grpc.SmartChargingServiceServicer):
    def __init__(
        self, requests: ProfileRequests, events: StationEvents, clock: Callable[[], datetime], sites: SiteAdmin
    ) -> None:
        self._requests = requests
        self._events = events
        self._clock = clock
        self._sites = sites

    async def SetChargingProfile(self, request: Request, context: Context) -> Response:
        """Refuses (FAILED_PRECONDITION) a profile that overlaps one the CSMS installed (another id, same EVSE,
        purpose and stack level, valid at the same time), naming it; a repeat of the same request passes."""
        await _check_station(context, request.station_id)
        params = _params(request.params_json)
        profile = params.get("profile") if isinstance(params, dict) else None
        if isinstance(profile, dict) and isinstance(params.get("evse_id"), int):
            view = station_view(request.station_id, await self._events.events(request.station_id))
            clash = overlapping(view.message().installed, params["evse_id"], profile)
            if clash is not None:
                await context.abort(
                    grpc.StatusCode.FAILED_PRECONDITION,
                    f"profile {clash.profile_id} ({clash.purpose}, stack level {clash.stack_level}, EVSE "
                    f"{clash.evse_id}) is installed for the same time: clear it, reuse its id or use another "
                    "stack level",
                )
        return await self._hand_over(context, request, "set-charging-profile")

    async def ClearChargingProfile(self, request: Request, context: Context) -> Response:
        return await self._hand_over(context, request, "clear-charging-profile")

    async def GetCompositeSchedule(self, request: Request, context: Context) -> Response:
        return await self._hand_over(context, request, "get-composite-schedule")

    async def GetChargingProfiles(self, request: Request, context: Context) -> Response:
        return await self._hand_over(context, request, "get-charging-profiles")

    async def GetStationChargingProfiles(
        self, request: smart_charging_pb2.GetStationChargingProfilesRequest, context: Context
    ) -> smart_charging_pb2.StationChargingProfiles:
        await _check_station(context, request.station_id)
        return station_view(request.station_id, await self._events.events(request.station_id)).message()

    async def PutSite(self, request: smart_charging_pb2.PutSiteRequest, context: Context) -> SiteResponse:
        try:
            body = json.loads(request.definition_json or "{}")
        except ValueError as exc:
            await context.abort(grpc.StatusCode.INVALID_ARGUMENT, f"definition_json: not JSON ({exc})")
        async with _site_errors(context):
            return _site_response(await self._sites.put(request.site_id, body))

    async def GetSite(self, request: smart_charging_pb2.SiteRequest, context: Context) -> SiteResponse:
        async with _site_errors(context):
            return _site_response(await self._sites.get(request.site_id))

    async def ListSites(
        self, request: smart_charging_pb2.ListSitesRequest, context: Context
    ) -> smart_charging_pb2.ListSitesResponse:
        async with _site_errors(context):
            sites, token = await self._sites.list(request.page_size, request.page_token)
            return smart_charging_pb2.ListSitesResponse(
                sites=[site_message(site) for site in sites], next_page_token=token or ""
            )

    async def DeleteSite(
        self, request: smart_charging_pb2.SiteRequest, context: Context
    ) -> smart_charging_pb2.DeleteSiteResponse:
        async with _site_errors(context):
            await self._sites.delete(request.site_id)
            return smart_charging_pb2.DeleteSiteResponse()

    async def SetSiteLimit(self, request: smart_charging_pb2.SetSiteLimitRequest, context: Context) -> SiteResponse:
        async with _site_errors(context):
            return _site_response(await self._sites.set_limit(request.site_id, request.limit, request.unit))

    async def GetSiteAllocation(
        self, request: smart_charging_pb2.SiteRequest, context: Context
    ) -> smart_charging_pb2.SiteAllocation:
        async with _site_errors(context):
            return await self._sites.allocation(request.site_id)

    async def _hand_over(self, context: Context, request: Request, command: str) -> Response:
        await _check_station(context, request.station_id)
        try:
            params = json.loads(request.params_json or "{}")
        except ValueError as exc:
            await context.abort(grpc.StatusCode.INVALID_ARGUMENT, f"params_json: not JSON ({exc})")
        if not isinstance(params, dict):
            await context.abort(grpc.StatusCode.INVALID_ARGUMENT, "params_json: must be a JSON object")
        if len(request.request_key) > MAX_REQUEST_KEY:
            await context.abort(grpc.StatusCode.INVALID_ARGUMENT, f"request_key: at most {MAX_REQUEST_KEY} characters")
        expires_at = to_datetime(request.expires_at) if request.HasField("expires_at") else None
        if request.queue_if_offline and expires_at is not None and expires_at <= self._clock():
            await context.abort(grpc.StatusCode.INVALID_ARGUMENT, "expires_at must be in the future")
        try:
            recorded = await self._requests.request(
                request.station_id,
                command,
                params,
                origin=smart_charging_pb2.REQUEST_ORIGIN_OPERATOR,
                queue_if_offline=request.queue_if_offline,
                expires_at=expires_at,
                request_key=request.request_key,
            )
        except KeyConflict as exc:
            await context.abort(grpc.StatusCode.ALREADY_EXISTS, str(exc))
        except CommandRefused as exc:
            await context.abort(exc.code, str(exc))
        except EventLogUnavailable as exc:
            await context.abort(grpc.StatusCode.UNAVAILABLE, f"the smart-charging event log is unavailable: {exc}")
        return Response(request=recorded)


def _site_response(answer: SiteAnswer) -> SiteResponse:
    return SiteResponse(site=site_message(answer.definition), shortfall=answer.shortfall)


@asynccontextmanager
async def _site_errors(context: Context) -> AsyncIterator[None]:
    try:
        yield
    except (BadSite, InvalidPageToken) as exc:
        await context.abort(grpc.StatusCode.INVALID_ARGUMENT, str(exc))
    except UnknownSite as exc:
        await context.abort(grpc.StatusCode.NOT_FOUND, str(exc))
    except EvseTaken as exc:
        await context.abort(grpc.StatusCode.FAILED_PRECONDITION, str(exc))
    except SitesUnavailable as exc:
        await context.abort(grpc.StatusCode.UNAVAILABLE, str(exc))
    except EventLogUnavailable as exc:
        await context.abort(
            grpc.StatusCode.UNAVAILABLE, f"the change is stored but its event is not published (repeat it): {exc}"
        )


def _params(text: str) -> Any:
    try:
        return json.loads(text or "{}")
    except ValueError:
        return None


async def _check_station(context: Context, station_id: str) -> None:
    try:
        check_station_id(station_id)
    except InvalidStationId as exc:
        await context.abort(grpc.StatusCode.INVALID_ARGUMENT, f"invalid station_id: {exc}")
