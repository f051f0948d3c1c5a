"""Registers the simulated stations (and their id tokens) in our CSMS over gRPC AuthorizationService.

Idempotent: RegisterStation keeps an existing registration (created=false), UpsertIdToken replaces existing
tokens. A CSMS without id token management (UNIMPLEMENTED) is reported, not fatal: Authorize is then answered
however that CSMS does.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass

import grpc

from csms.authorization.v1 import authorization_pb2, authorization_pb2_grpc


@dataclass(frozen=True)
class Provisioned:
    stations: int
    tokens: int
    tokens_unsupported: bool


async def provision(
    address: str,
    station_ids: Sequence[str],
    password: str,
    tokens: Sequence[str],
    *,
    security_profile: int = 1,
    concurrency: int = 64,
) -> Provisioned:
    async with grpc.aio.insecure_channel(address) as channel:
        stub = authorization_pb2_grpc.AuthorizationServiceStub(channel)
        limit = asyncio.Semaphore(concurrency)

        async def register(station_id: str) -> None:
            async with limit:
                request = authorization_pb2.RegisterStationRequest(
                    station_id=station_id, password=password, security_profile=security_profile
                )
                await stub.RegisterStation(request, timeout=30)

        async def upsert(token: str) -> None:
            async with limit:
                request = authorization_pb2.UpsertIdTokenRequest(
                    id_token=token, type=authorization_pb2.ID_TOKEN_TYPE_ISO14443
                )
                await stub.UpsertIdToken(request, timeout=30)

        await asyncio.gather(*(register(station_id) for station_id in station_ids))
        try:
            await asyncio.gather(*(upsert(token) for token in tokens))
        except grpc.aio.AioRpcError as exc:
            if exc.code() != grpc.StatusCode.UNIMPLEMENTED:
                raise
            return Provisioned(len(station_ids), 0, tokens_unsupported=True)
        return Provisioned(len(station_ids), len(tokens), tokens_unsupported=False)
