"""asyncio TLS connections with the small read buffer (`csms_kernel.infra.tls_buffers`): the buffer a new connection
allocates is 32 KiB, and a message far larger than it (a 1 MiB frame) still arrives whole, both ways."""

from __future__ import annotations

import asyncio
import ssl
from asyncio import sslproto
from collections.abc import Iterator

import pytest

from csms_kernel.infra.tls_buffers import TLS_READ_BUFFER_BYTES, small_tls_read_buffers
from csms_kernel.pki.dev import DevPki
from kit.pki import station_tls_context

MESSAGE = bytes(range(256)) * 4096  # 1 MiB


@pytest.fixture
def small_buffers() -> Iterator[None]:
    before = sslproto.SSLProtocol.max_size
    small_tls_read_buffers()
    yield
    sslproto.SSLProtocol.max_size = before


async def test_a_large_message_passes_a_small_buffer_both_ways(dev_pki: DevPki, small_buffers: None) -> None:
    server_context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server_context.load_cert_chain(dev_pki.server_chain, dev_pki.server.key)
    buffers: list[int] = []

    async def echo(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        buffers.append(len(writer.transport._ssl_protocol._ssl_buffer))  # type: ignore[attr-defined]
        writer.write(await reader.readexactly(len(MESSAGE)))
        await writer.drain()
        writer.close()

    server = await asyncio.start_server(echo, "127.0.0.1", 0, ssl=server_context)
    port = server.sockets[0].getsockname()[1]
    async with server:
        reader, writer = await asyncio.open_connection(
            "127.0.0.1", port, ssl=station_tls_context(dev_pki), server_hostname="localhost"
        )
        writer.write(MESSAGE)
        await writer.drain()
        assert await reader.readexactly(len(MESSAGE)) == MESSAGE
        writer.close()
    assert buffers == [TLS_READ_BUFFER_BYTES]
