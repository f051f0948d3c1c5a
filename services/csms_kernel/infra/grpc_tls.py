"""Mutual TLS on the internal gRPC surface (docs/adr/0029-internal-surface.md): the one TLS settings object every
kernel channel and server builder takes, and the server-side identity check.

`GrpcTls` names the internal CA, this process's certificate and key (CN = its identity: `edge`, `device-model`,
`authorization`, `transactions`, `security`, `api`, `cli`) and, optionally, the name server certificates are
checked against instead of the target's host. A server built with it requires a client certificate that chains
to the internal CA; `IdentityCheck` then lets a call to a guarded service through only when the caller's
certificate CN is in that service's allowed identities, and answers PERMISSION_DENIED otherwise (logged as the
security event `grpc_call_refused`). The health and reflection services are open to every identity of the CA.
Side effects: reads the three files once, when credentials are first built.
"""

from __future__ import annotations

import functools
import inspect
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Collection, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeAlias

import grpc

from csms_kernel.telemetry.security_log import security_event

COMMON_NAME_KEY = "x509_common_name"
"""The auth context property gRPC fills with the peer certificate's subject CN."""


@dataclass(frozen=True)
class GrpcTls:
    ca_file: Path
    cert_file: Path
    key_file: Path
    server_name: str = ""
    """Set as `grpc.ssl_target_name_override`: the name server certificates must carry whatever the target says
    (needed for targets that list IP addresses, e.g. `ipv4:10.0.0.1:50051,10.0.0.2:50051`)."""

    @functools.cached_property
    def _pem(self) -> tuple[bytes, bytes, bytes]:
        return self.ca_file.read_bytes(), self.cert_file.read_bytes(), self.key_file.read_bytes()

    def server_credentials(self) -> grpc.ServerCredentials:
        """Serves with this process's certificate; a client must present one chaining to the internal CA."""
        ca, certificate, key = self._pem
        return grpc.ssl_server_credentials([(key, certificate)], root_certificates=ca, require_client_auth=True)

    def channel_credentials(self) -> grpc.ChannelCredentials:
        """Trusts only the internal CA and presents this process's certificate."""
        ca, certificate, key = self._pem
        return grpc.ssl_channel_credentials(root_certificates=ca, private_key=key, certificate_chain=certificate)

    def channel_options(self) -> tuple[tuple[str, str], ...]:
        return (("grpc.ssl_target_name_override", self.server_name),) if self.server_name else ()


def peer_identity(context: grpc.aio.ServicerContext[Any, Any]) -> str | None:
    """The caller's certificate CN, or None (no TLS, or a certificate without a CN)."""
    values = list(context.auth_context().get(COMMON_NAME_KEY) or [])
    return values[0].decode("utf-8", "replace") if values else None


Behaviour = Callable[..., Any]
if TYPE_CHECKING:
    Handler: TypeAlias = grpc.RpcMethodHandler[Any, Any]
    Interceptor: TypeAlias = grpc.aio.ServerInterceptor[Any, Any]
else:
    Handler = grpc.RpcMethodHandler
    Interceptor = grpc.aio.ServerInterceptor


class IdentityCheck(Interceptor):
    """Lets a call to a service in `allowed` through only from the identities listed for it, and those `granted`
    its method (full name `/package.Service/Method`: least privilege for a caller that needs one method); services
    not in `allowed` (health, reflection) are open to every authenticated caller."""

    def __init__(
        self, allowed: Mapping[str, Collection[str]], granted: Mapping[str, Collection[str]] | None = None
    ) -> None:
        self._allowed = {service: frozenset(identities) for service, identities in allowed.items()}
        self._granted = {method: frozenset(identities) for method, identities in (granted or {}).items()}
        self._guarded: dict[str, Handler] = {}

    async def intercept_service(
        self,
        continuation: Callable[[grpc.HandlerCallDetails], Awaitable[Handler]],
        details: grpc.HandlerCallDetails,
    ) -> Handler:
        handler = await continuation(details)
        method: str = details.method
        identities = self._allowed.get(method.split("/")[1] if method.count("/") == 2 else "")
        if handler is None or identities is None:
            return handler
        guarded = self._guarded.get(method)
        if guarded is None:
            identities |= self._granted.get(method, frozenset())
            guarded = self._guarded[method] = _guard(handler, method, identities)
        return guarded


def _guard(handler: Handler, method: str, identities: frozenset[str]) -> Handler:
    async def check(context: grpc.aio.ServicerContext[Any, Any]) -> None:
        identity = peer_identity(context)
        if identity in identities:
            return
        security_event(
            "grpc_call_refused", logging.WARNING, identity=identity or "", method=method, peer=context.peer()
        )
        await context.abort(
            grpc.StatusCode.PERMISSION_DENIED, f"identity {identity or '(none)'!r} may not call {method}"
        )

    def unary_response(behaviour: Behaviour) -> Behaviour:
        async def guarded(request: Any, context: grpc.aio.ServicerContext[Any, Any]) -> Any:
            await check(context)
            return await behaviour(request, context)

        return guarded

    def stream_response(behaviour: Behaviour) -> Behaviour:
        async def guarded(request: Any, context: grpc.aio.ServicerContext[Any, Any]) -> AsyncIterator[Any]:
            await check(context)
            result = behaviour(request, context)
            if inspect.isasyncgen(result):
                async for response in result:
                    yield response
            else:
                await result

        return guarded

    codecs = {
        "request_deserializer": handler.request_deserializer,
        "response_serializer": handler.response_serializer,
    }
    if handler.unary_unary is not None:
        return grpc.unary_unary_rpc_method_handler(unary_response(handler.unary_unary), **codecs)
    if handler.stream_unary is not None:
        return grpc.stream_unary_rpc_method_handler(unary_response(handler.stream_unary), **codecs)
    if handler.unary_stream is not None:
        return grpc.unary_stream_rpc_method_handler(stream_response(handler.unary_stream), **codecs)
    assert handler.stream_stream is not None
    return grpc.stream_stream_rpc_method_handler(stream_response(handler.stream_stream), **codecs)
