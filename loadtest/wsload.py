"""A cheap WebSocket load generator for server benchmarks: raw asyncio protocols, pre-encoded masked frames.

A client does the opening handshake by hand; once all are open, each sends one pre-built blob of identical
masked text frames, or (pumping) keeps its socket's write buffer full with it; it only counts the bytes it
receives. That costs the
generator a small fraction of what the server spends per frame, so the server is what gets measured.
"""

from __future__ import annotations

import asyncio
import base64
import os
import struct
from dataclasses import dataclass, field

from loadtest.station_socket import basic_auth

MASK = b"\x37\xfa\x21\x3d"
HANDSHAKE_END = b"\r\n\r\n"


def client_frame(text: bytes, mask: bytes = MASK) -> bytes:
    """One masked, final text frame (RFC 6455 §5.2) carrying `text`."""
    length = len(text)
    if length < 126:
        header = struct.pack("!BB", 0x81, 0x80 | length)
    elif length < 1 << 16:
        header = struct.pack("!BBH", 0x81, 0x80 | 126, length)
    else:
        header = struct.pack("!BBQ", 0x81, 0x80 | 127, length)
    masked = bytes(byte ^ mask[i % 4] for i, byte in enumerate(text))
    return header + mask + masked


def server_frame_size(payload_length: int) -> int:
    """Bytes on the wire of an unmasked server frame with that payload (for counting echoes)."""
    return payload_length + (2 if payload_length < 126 else 4 if payload_length < 1 << 16 else 10)


def handshake_request(host: str, port: int, path: str, subprotocol: str, authorization: str) -> bytes:
    key = base64.b64encode(os.urandom(16)).decode()
    lines = [
        f"GET {path} HTTP/1.1",
        f"Host: {host}:{port}",
        "Upgrade: websocket",
        "Connection: Upgrade",
        f"Sec-WebSocket-Key: {key}",
        "Sec-WebSocket-Version: 13",
        f"Sec-WebSocket-Protocol: {subprotocol}",
        f"Authorization: {authorization}",
    ]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


@dataclass
class Totals:
    """Shared by all clients of one run."""

    received_bytes: int = 0
    open: int = 0
    failed: int = 0
    errors: list[str] = field(default_factory=list)


class Client(asyncio.Protocol):
    def __init__(self, request: bytes, totals: Totals) -> None:
        self._request = request
        self._blob = b""
        self._totals = totals
        self._pump = False
        self._transport: asyncio.Transport | None = None
        self._head = b""
        self._upgraded = False
        self._paused = False
        self.ready: asyncio.Future[None] = asyncio.get_running_loop().create_future()

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self._transport = transport
        transport.write(self._request)

    def data_received(self, data: bytes) -> None:
        if self._upgraded:
            self._totals.received_bytes += len(data)
            return
        self._head += data
        if HANDSHAKE_END not in self._head:
            return
        head, _, rest = self._head.partition(HANDSHAKE_END)
        if not head.startswith(b"HTTP/1.1 101"):
            self._fail(head.split(b"\r\n", 1)[0].decode(errors="replace"))
            return
        self._upgraded = True
        self._totals.open += 1
        self._totals.received_bytes += len(rest)
        self.ready.set_result(None)

    def start(self, blob: bytes, *, pump: bool) -> None:
        self._blob, self._pump = blob, pump
        self._send_more()

    def _send_more(self) -> None:
        """Writes the blob until the transport's buffer is full (pump) or once (a single burst)."""
        if self._transport is None or self._transport.is_closing():
            return
        self._transport.write(self._blob)
        while self._pump and not self._paused and not self._transport.is_closing():
            self._transport.write(self._blob)

    def pause_writing(self) -> None:
        self._paused = True

    def resume_writing(self) -> None:
        self._paused = False
        if self._pump:
            self._send_more()

    def connection_lost(self, exc: Exception | None) -> None:
        if self._upgraded:
            self._totals.open -= 1
        elif not self.ready.done():
            self._fail(f"connection lost: {exc!r}")

    def _fail(self, reason: str) -> None:
        self._totals.failed += 1
        self._totals.errors.append(reason)
        if not self.ready.done():
            self.ready.set_exception(ConnectionError(reason))
        if self._transport is not None:
            self._transport.close()

    def close(self) -> None:
        if self._transport is not None:
            self._transport.abort()


async def open_clients(
    host: str,
    port: int,
    count: int,
    totals: Totals,
    *,
    subprotocol: str = "ocpp2.0.1",
    prefix: str = "BENCH-",
    concurrency: int = 200,
) -> list[Client]:
    """Opens `count` clients, `concurrency` handshakes at a time. Clients whose handshake failed are counted in
    `totals` and left out."""
    loop, limit = asyncio.get_running_loop(), asyncio.Semaphore(concurrency)

    async def one(index: int) -> Client | None:
        station_id = f"{prefix}{index:06d}"
        authorization = basic_auth(station_id, "bench-password-0001")
        request = handshake_request(host, port, f"/ocpp/{station_id}", subprotocol, authorization)
        async with limit:
            try:
                _, client = await loop.create_connection(lambda: Client(request, totals), host, port)
                await asyncio.wait_for(client.ready, 30)
            except (OSError, ConnectionError, TimeoutError) as exc:
                if not isinstance(exc, ConnectionError):
                    totals.failed += 1
                    totals.errors.append(repr(exc))
                return None
        return client

    return [client for client in await asyncio.gather(*(one(i) for i in range(count))) if client is not None]
