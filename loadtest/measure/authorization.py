"""Measures the authorization service as deployed (bootstrap wiring, real Kafka and Cassandra), over gRPC:

(a) `AuthorizeIdToken` for a known token (one Cassandra read by key + the decision), one call at a time, then
    all samples issued at once;
(b) `UpsertIdToken` of a token in the local list (token write with its outbox row in one logged batch, list
    version compare-and-set, entry write), one at a time;
(c) `ListIdTokens` pages of 500;
(d) `UpsertIdToken` of a token outside the local list (the logged batch only), one at a time, and the time
    from the call to its event read from Kafka (published by the outbox relay).

Not a test (no timed assertions in the suite): run it against a running Kafka + Cassandra and copy the figures
into docs/adr/0006-id-tokens-and-local-lists.md.

    .venv/bin/python -m loadtest.measure.authorization [--samples 500] \\
        [--bootstrap 127.0.0.1:19092] [--cassandra-port 19042]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import time
import uuid
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

import grpc

from csms.authorization.v1 import authorization_pb2 as pb
from csms.authorization.v1 import authorization_pb2_grpc
from csms.envelope.v1 import envelope_pb2
from csms_authorization import bootstrap
from csms_authorization.settings import AuthorizationSettings
from csms_kernel.infra import lifecycle, topics
from csms_kernel.infra.kafka import make_consumer

if TYPE_CHECKING:
    from csms.authorization.v1.authorization_pb2_grpc import AuthorizationServiceAsyncStub


def summary(name: str, samples_s: list[float]) -> str:
    ms = sorted(s * 1000 for s in samples_s)
    q = statistics.quantiles(ms, n=100)
    return f"{name}: n={len(ms)} p50={q[49]:.2f} ms p90={q[89]:.2f} ms p99={q[98]:.2f} ms max={ms[-1]:.2f} ms"


async def timed(call: Callable[[], Awaitable[object]]) -> float:
    start = time.perf_counter()
    await call()
    return time.perf_counter() - start


async def upserts_until_published(
    stub: AuthorizationServiceAsyncStub, bootstrap_servers: str, ids: list[str]
) -> tuple[list[float], list[float]]:
    """Per token, one at a time: the UpsertIdToken call, and the time from the call to its event consumed
    (the first five, which find the consumer still joining its partitions, are not counted)."""
    consumer = make_consumer(bootstrap_servers, None, f"measure-{uuid.uuid4().hex[:6]}", topics.AUTHORIZATION_EVENTS)
    await consumer.start()
    try:
        await consumer.seek_to_end()
        calls, published = [], []
        for id_token in ids:
            start = time.perf_counter()
            await stub.UpsertIdToken(pb.UpsertIdTokenRequest(id_token=id_token, type=pb.ID_TOKEN_TYPE_KEY_CODE))
            calls.append(time.perf_counter() - start)
            key = id_token.upper().encode()
            while not any(r.key == key for rs in (await consumer.getmany(timeout_ms=100)).values() for r in rs):
                pass
            published.append(time.perf_counter() - start)
        return calls[5:], published[5:]
    finally:
        await consumer.stop()


async def main(samples: int, bootstrap_servers: str, cassandra_port: int) -> None:
    settings = AuthorizationSettings(
        kafka_bootstrap=bootstrap_servers,
        cassandra_port=cassandra_port,
        grpc_listen="127.0.0.1:0",
        instance_id=f"measure-{uuid.uuid4().hex[:6]}",
    )
    run = uuid.uuid4().hex[:8].upper()
    async with lifecycle.running(bootstrap.build(settings)) as running:
        async with grpc.aio.insecure_channel(f"127.0.0.1:{running.grpc_port}") as channel:
            stub = authorization_pb2_grpc.AuthorizationServiceStub(channel)
            token = f"M{run}"
            await stub.UpsertIdToken(pb.UpsertIdTokenRequest(id_token=token, type=pb.ID_TOKEN_TYPE_ISO14443))
            request = pb.AuthorizeIdTokenRequest(
                station_id="CS-1", id_token=token, ocpp_version=envelope_pb2.OCPP_VERSION_16
            )
            for _ in range(50):  # warm-up: prepared statements, channel
                await stub.AuthorizeIdToken(request)
            one = [await timed(lambda: stub.AuthorizeIdToken(request)) for _ in range(samples)]
            print(summary("(a) AuthorizeIdToken, one at a time", one))
            concurrent = await asyncio.gather(*(timed(lambda: stub.AuthorizeIdToken(request)) for _ in range(samples)))
            print(summary("(a) AuthorizeIdToken, all at once", list(concurrent)))

            ids = [f"M{run}-{i}" for i in range(samples)]
            upserts = [
                await timed(
                    lambda i=i: stub.UpsertIdToken(  # type: ignore[misc]
                        pb.UpsertIdTokenRequest(id_token=i, type=pb.ID_TOKEN_TYPE_ISO14443, local_list=True)
                    )
                )
                for i in ids
            ]
            print(summary("(b) UpsertIdToken in the local list (outbox batch + CAS)", upserts))
            pages = [await timed(lambda: stub.ListIdTokens(pb.ListIdTokensRequest(page_size=500))) for _ in range(50)]
            print(summary("(c) ListIdTokens, page of 500", pages))
            plain = [f"P{run}-{i}" for i in range(samples)]
            calls, published = await upserts_until_published(stub, bootstrap_servers, plain)
            print(summary("(d) UpsertIdToken outside the local list", calls))
            print(summary("(d) UpsertIdToken -> its event read from Kafka", published))
            for id_token in [token, *ids, *plain]:
                await stub.DeleteIdToken(pb.DeleteIdTokenRequest(id_token=id_token))
    print(f"load average {os.getloadavg()}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--samples", type=int, default=500)
    parser.add_argument("--bootstrap", default="127.0.0.1:19092")
    parser.add_argument("--cassandra-port", type=int, default=19042)
    args = parser.parse_args()
    asyncio.run(main(args.samples, args.bootstrap, args.cassandra_port))
