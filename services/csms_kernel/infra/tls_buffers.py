"""The read buffer of asyncio's TLS connections, made small enough for many connections per process.

asyncio's `SSLProtocol` allocates and zero-fills a read buffer of `SSLProtocol.max_size` (256 KiB) for every TLS
connection (CPython gh-109534): with thousands of connections alive, each new one costs about 0.6 ms of CPU (page
faults of a fresh 256 KiB) and keeps 256 KiB of memory. `small_tls_read_buffers()` sets the size for the whole process;
the buffer only stages the ciphertext of one socket read, so 32 KiB (two full TLS records) loses nothing but a
few more reads of large frames. Side effect: a class attribute of the standard library, process-wide.
"""

from __future__ import annotations

from asyncio import sslproto

TLS_READ_BUFFER_BYTES = 32 * 1024


def small_tls_read_buffers(size: int = TLS_READ_BUFFER_BYTES) -> None:
    sslproto.SSLProtocol.max_size = size
