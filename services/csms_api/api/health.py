"""`/healthz` (the process is alive) and `/readyz` (ready to serve: every service's gRPC health answers SERVING
and Cassandra answers; 503 problem otherwise). Unauthenticated, for probes."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends
from pydantic import BaseModel

from csms_api.api.context import ApiContext, context
from csms_api.api.problems import ProblemError, documented

router = APIRouter(tags=["health"])


class Alive(BaseModel):
    status: Literal["alive"] = "alive"


class Ready(BaseModel):
    status: Literal["ready"] = "ready"
    checked: list[str]


@router.get("/healthz", summary="Liveness")
async def healthz() -> Alive:
    return Alive()


@router.get("/readyz", responses=documented(503), summary="Readiness")
async def readyz(api: Annotated[ApiContext, Depends(context)]) -> Ready:
    failures = await api.readiness.failures()
    if failures:
        reasons = "; ".join(f"{name}: {reason}" for name, reason in sorted(failures.items()))
        raise ProblemError(503, "not-ready", f"not ready: {reasons}")
    return Ready(checked=api.readiness.names)
