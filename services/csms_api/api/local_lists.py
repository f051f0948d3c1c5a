"""`/api/v1/local-lists`: push the local authorization list to one station or to every station of a group and
report each station's outcome. Translation to AuthorizationService.PushLocalList only."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends
from pydantic import BaseModel, ConfigDict, Field, model_validator

from csms.authorization.v1 import authorization_pb2 as authz
from csms_api.api.auth import ADMIN
from csms_api.api.context import ApiContext, context
from csms_api.api.convert import text
from csms_api.api.problems import documented

router = APIRouter(prefix="/api/v1/local-lists", tags=["local lists"])

DEFAULT_STATION_TIMEOUT_S = 30.0
PUSH_ROUNDS = 20
"""The push's deadline: this many per-station timeouts (stations are called a bounded number at a time)."""

Outcome = Literal["accepted", "failed", "version_mismatch", "not_supported", "offline", "timeout", "error"]
OUTCOMES: dict[int, Outcome] = {
    authz.PUSH_OUTCOME_ACCEPTED: "accepted",
    authz.PUSH_OUTCOME_FAILED: "failed",
    authz.PUSH_OUTCOME_VERSION_MISMATCH: "version_mismatch",
    authz.PUSH_OUTCOME_NOT_SUPPORTED: "not_supported",
    authz.PUSH_OUTCOME_OFFLINE: "offline",
    authz.PUSH_OUTCOME_TIMEOUT: "timeout",
    authz.PUSH_OUTCOME_ERROR: "error",
}


class LocalListPush(BaseModel):
    """Exactly one of `station_id` and `group`."""

    model_config = ConfigDict(extra="forbid")

    station_id: str | None = Field(default=None, min_length=1, max_length=48)
    group: str | None = Field(default=None, min_length=1)
    differential: bool = Field(
        default=False, description="Only the entries changed since the version each station is known to hold."
    )
    timeout: float | None = Field(
        default=None, gt=0, le=300, description=f"Seconds each station may take (default {DEFAULT_STATION_TIMEOUT_S:g})"
    )

    @model_validator(mode="after")
    def _one_target(self) -> LocalListPush:
        if (self.station_id is None) == (self.group is None):
            raise ValueError("give exactly one of station_id and group")
        return self


class PushResult(BaseModel):
    station_id: str
    outcome: Outcome | None = Field(description="The station's SendLocalList answer, or why there was none.")
    detail: str | None
    version_number: int = Field(description="The list version sent.")
    entries: int = Field(description="Entries sent.")


class LocalListPushResults(BaseModel):
    results: list[PushResult]


@router.post("", dependencies=[ADMIN], responses=documented(404), summary="Push the local list")
async def push_local_list(body: LocalListPush, api: Annotated[ApiContext, Depends(context)]) -> LocalListPushResults:
    """Sends the current local list (SendLocalList in each station's version) and answers once every station
    answered or timed out. 404: a group with no station."""
    timeout_s = body.timeout or DEFAULT_STATION_TIMEOUT_S
    request = authz.PushLocalListRequest(differential=body.differential, timeout_ms=round(timeout_s * 1000))
    if body.station_id is not None:
        request.station_id = body.station_id
    else:
        request.station_group = body.group or ""
    results = await api.authorization.push_local_list(request, timeout_s * PUSH_ROUNDS)
    return LocalListPushResults(
        results=[
            PushResult(
                station_id=result.station_id,
                outcome=OUTCOMES.get(result.outcome),
                detail=text(result.detail),
                version_number=result.version_number,
                entries=result.entries,
            )
            for result in results
        ]
    )
