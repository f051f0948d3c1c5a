"""The api service's `build()`: what it wires without starting anything, and parts added beside the routes."""

from __future__ import annotations

from fastapi import APIRouter

from csms_api.adapters.checks import CassandraCheck, GrpcHealthCheck
from csms_api.adapters.http_server import HttpServer
from csms_api.api.app import ApiPart
from csms_api.api.auth import READ
from csms_api.api.problems import invalid
from csms_api.bootstrap import build
from csms_api.domain.keys import Scope
from csms_api.live.stream import LiveEvents
from csms_api.settings import ApiSettings
from csms_firmware.artifacts.settings import ArtifactSettings
from csms_kernel.infra.lifecycle import Closing
from kit.builders.api import Api


class Hub:
    async def start(self) -> None:
        return None

    async def stop(self) -> None:
        return None

    async def run(self) -> None:
        return None


async def test_build_wires_the_session_the_six_services_the_http_server_and_then_the_live_events() -> None:
    service = build(ApiSettings(instance_id="api-7", port=0))
    assert (service.name, service.instance, service.grpc, service.router) == ("api", "api-7", None, None)
    assert [type(resource).__name__ for resource in service.resources] == [
        "CassandraSession",
        "Closing",
        "Closing",
        "Closing",
        "Closing",
        "Closing",
        "Closing",
        "HttpServer",
        "LiveEvents",
    ]
    assert [loop.__qualname__ for loop in service.loops] == ["HttpServer.run"]
    server = service.resources[-2]
    assert isinstance(server, HttpServer) and isinstance(service.resources[1], Closing)
    readiness = server.app.state.context.readiness
    assert readiness.names == [
        "cassandra",
        "authorization",
        "device-model",
        "transactions",
        "security",
        "firmware",
        "smart-charging",
        "kafka (live events)",
    ]
    assert [type(check) for check in readiness._checks] == [CassandraCheck, *[GrpcHealthCheck] * 6, LiveEvents]
    paths = server.app.openapi()["paths"]
    assert "/api/v1/events" in paths
    assert {"/api/v1/firmware/images", "/api/v1/stations/{station_id}/uploads/{upload_id}/content"} <= set(paths)
    for resource in service.resources[1:7]:
        await resource.stop()


async def test_the_artifacts_on_s3_add_their_client_after_the_live_events() -> None:
    service = build(ApiSettings(port=0), artifact_settings=ArtifactSettings(store="s3"))
    assert [type(resource).__name__ for resource in service.resources][-3:] == [
        "HttpServer",
        "LiveEvents",
        "_S3Resource",
    ]
    for resource in service.resources[1:7]:
        await resource.stop()


class BadFilter(ValueError):
    pass


async def test_a_part_brings_its_routes_resources_loops_and_problems() -> None:
    router = APIRouter(prefix="/api/v1/events")

    @router.get("", dependencies=[READ])
    async def events(kind: str = "") -> dict[str, str]:
        if kind == "bad":
            raise BadFilter("no such kind")
        return {"events": "here"}

    hub = Hub()
    part = ApiPart(
        router, resources=[hub], loops=[hub.run], problems={BadFilter: lambda exc: invalid("query.kind", str(exc))}
    )
    api = Api(parts=[part])
    assert api.service.resources[-2:] == [api.server, hub]
    assert api.service.loops == [api.server.run, hub.run]
    async with api.client() as anonymous:
        assert (await anonymous.get("/api/v1/events")).status_code == 401
    async with await api.as_(Scope.READ) as client:
        answer = await client.get("/api/v1/events")
        bad = await client.get("/api/v1/events", params={"kind": "bad"})
    assert answer.json() == {"events": "here"}
    assert bad.status_code == 422 and bad.headers["content-type"] == "application/problem+json"
    assert (bad.json()["detail"], bad.json()["errors"][0]["field"]) == ("query.kind: no such kind", "query.kind")
