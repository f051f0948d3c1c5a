"""Readiness: every dependency (the three services' gRPC health, Cassandra) asked at once, each within a
timeout; ready only when all answer as ready. I/O only through the `DependencyCheck` ports."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

import grpc

from csms_api.ports import DependencyCheck


class Readiness:
    def __init__(self, checks: Sequence[DependencyCheck], timeout_s: float) -> None:
        self._checks = list(checks)
        self._timeout_s = timeout_s

    async def failures(self) -> dict[str, str]:
        """The dependencies that are not ready, each with why; empty when all are."""
        outcomes = await asyncio.gather(*(self._probe(check) for check in self._checks))
        return {check.name: outcome for check, outcome in zip(self._checks, outcomes, strict=True) if outcome}

    async def _probe(self, check: DependencyCheck) -> str:
        try:
            async with asyncio.timeout(self._timeout_s):
                await check.check(self._timeout_s)
        except TimeoutError:
            return f"no answer within {self._timeout_s:g} s"
        except Exception as exc:  # any failure means not ready; the reason is reported, not raised
            return _reason(exc)
        return ""

    @property
    def names(self) -> list[str]:
        return [check.name for check in self._checks]


def _reason(exc: Exception) -> str:
    if isinstance(exc, grpc.aio.AioRpcError):
        return f"{exc.code().name}: {exc.details()}"
    return f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
