"""/healthz says the process is alive; /readyz is 200 only when every dependency answers, a 503 problem naming
the ones that do not otherwise."""

from __future__ import annotations

import asyncio

import grpc
from grpc.aio import AioRpcError, Metadata

from csms_api.app.readiness import Readiness
from kit.builders.api import Api
from kit.fakes.api import FakeCheck


async def test_healthz_is_alive(api: Api) -> None:
    async with api.client() as client:
        answer = await client.get("/healthz")
    assert (answer.status_code, answer.json()) == (200, {"status": "alive"})


async def test_readyz_is_200_when_every_dependency_answers(api: Api) -> None:
    async with api.client() as client:
        answer = await client.get("/readyz")
    assert (answer.status_code, answer.json()) == (200, {"status": "ready", "checked": ["authorization", "cassandra"]})


async def test_readyz_is_a_503_problem_naming_what_is_down(api: Api) -> None:
    api.checks[0].failure = AioRpcError(grpc.StatusCode.UNAVAILABLE, Metadata(), Metadata(), "connection refused")
    api.checks[1].failure = ConnectionError()
    async with api.client() as client:
        answer = await client.get("/readyz")
    assert answer.status_code == 503
    assert answer.headers["content-type"] == "application/problem+json"
    assert answer.json() == {
        "type": "urn:csms:problem:not-ready",
        "title": "Service Unavailable",
        "status": 503,
        "detail": "not ready: authorization: UNAVAILABLE: connection refused; cassandra: ConnectionError",
        "instance": "/readyz",
    }


class Silent:
    name = "device-model"

    async def check(self, timeout_s: float) -> None:
        await asyncio.Event().wait()


async def test_a_dependency_that_does_not_answer_in_time_is_not_ready() -> None:
    readiness = Readiness([Silent(), FakeCheck("cassandra")], timeout_s=0.01)
    assert await readiness.failures() == {"device-model": "no answer within 0.01 s"}
