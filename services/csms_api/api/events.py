"""`GET /api/v1/events`: the live events as Server-Sent Events (translation between HTTP and `csms_api.live`).

`events_part` is what the API's `build()` adds: the router behind the `read` scope, the live events as a
resource started and stopped with the API, and the problem a malformed `Last-Event-ID` or filter
(`BadEventsRequest`) is answered with (422, naming the header or query parameter). No side effects of its own.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Query
from fastapi.responses import StreamingResponse
from fastapi.sse import EventSourceResponse

from csms_api.api.app import ApiPart
from csms_api.api.auth import require
from csms_api.api.problems import ProblemError, invalid
from csms_api.domain.keys import Scope
from csms_api.live.errors import BadEventsRequest
from csms_api.live.events import KNOWN_TYPES
from csms_api.live.filters import EventFilter
from csms_api.live.positions import decode
from csms_api.live.stream import LiveEvents

DESCRIPTION = f"""Server-Sent Events (`text/event-stream`) of the fleet, live.

Each event: `id:` an opaque position to resume from, `event:` its type, `data:` a JSON object (`station_id`,
`occurred_at`, the event's fields in snake_case). Types: {", ".join(f"`{t}`" for t in sorted(KNOWN_TYPES))}.

Reconnecting with `Last-Event-ID` (or `?last_event_id=` for clients that cannot set headers) resumes exactly
after the last event received: nothing missed, nothing repeated, as long as Kafka retains the events. An id
older than that resumes from the oldest event kept, announced first by an `event: gap` message. Without an
id the stream starts now. `: keepalive` comments come after a quiet while (15 s by default); one may carry an `id:`
only, which moves the position past events the filters left out (per the SSE specification it dispatches
no event).
"""


def events_router(live: LiveEvents, read_scope: Callable[..., Any], *, prefix: str = "/api/v1") -> APIRouter:
    """The router of the live events, each request checked by `read_scope` (the `read` scope dependency)."""
    router = APIRouter(prefix=prefix, tags=["events"], dependencies=[Depends(read_scope)])

    @router.get(
        "/events",
        response_class=StreamingResponse,  # EventSourceResponse here would make FastAPI expect a generator
        summary="Live events (Server-Sent Events), resumable with Last-Event-ID",
        description=DESCRIPTION,
        responses={200: {"content": {"text/event-stream": {"schema": {"type": "string"}}}}},
    )
    async def events(
        station_ids: Annotated[
            list[str] | None, Query(alias="station_id", description="Only these stations (repeatable).")
        ] = None,
        groups: Annotated[
            list[str] | None,
            Query(alias="group", description="Only stations currently in these groups (repeatable)."),
        ] = None,
        types: Annotated[
            list[str] | None,
            Query(
                alias="type",
                description="Only these event types, or type prefixes such as `transaction.` (repeatable).",
            ),
        ] = None,
        last_event_id: Annotated[
            str | None, Query(description="Resume after this event id, for clients that cannot set headers.")
        ] = None,
        last_event_id_header: Annotated[
            str | None, Header(alias="Last-Event-ID", description="Resume after this event id.")
        ] = None,
    ) -> EventSourceResponse:
        event_filter = EventFilter.of(station_ids or (), groups or (), types or ())
        # A browser reconnecting keeps the URL and adds the header: the header is the later position.
        if last_event_id_header:
            resume = decode(last_event_id_header, "Last-Event-ID")
        elif last_event_id:
            resume = decode(last_event_id, "last_event_id")
        else:
            resume = None
        return EventSourceResponse(
            live.stream(event_filter, resume), headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}
        )

    return router


def refused(exc: Exception) -> ProblemError:
    """The 422 problem of a `BadEventsRequest`, naming where the bad value was."""
    assert isinstance(exc, BadEventsRequest)
    where = "header" if exc.parameter == "Last-Event-ID" else "query"
    return invalid(f"{where}.{exc.parameter}", exc.detail)


def events_part(live: LiveEvents) -> ApiPart:
    """The live events as a part of the API (`build(settings, parts=[events_part(live)])`)."""
    return ApiPart(
        router=events_router(live, require(Scope.READ)), resources=[live], problems={BadEventsRequest: refused}
    )
