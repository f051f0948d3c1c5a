"""What the authorization service's HTTP adapters share (contract-certificate provider, OCSP responders): one
`httpx.AsyncClient` that never follows redirects (a redirect could lead a request to a host nobody allowed), and
reading a response body up to a limit (a peer cannot make the service buffer an unbounded answer). Network I/O.
"""

from __future__ import annotations

import httpx


def client(timeout_s: float) -> httpx.AsyncClient:
    return httpx.AsyncClient(timeout=timeout_s, follow_redirects=False, trust_env=False)


class BodyTooLarge(Exception):
    """The response body is longer than the caller accepts."""


async def post(http: httpx.AsyncClient, url: str, content: bytes, content_type: str, limit: int) -> tuple[int, bytes]:
    """POSTs `content`; the status code and at most `limit` bytes of body (BodyTooLarge beyond). Raises
    httpx.HTTPError for transport failures and timeouts."""
    async with http.stream("POST", url, content=content, headers={"Content-Type": content_type}) as response:
        body = bytearray()
        async for chunk in response.aiter_bytes():
            body += chunk
            if len(body) > limit:
                raise BodyTooLarge(f"response body over {limit} bytes")
        return response.status_code, bytes(body)
