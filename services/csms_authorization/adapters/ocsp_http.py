"""The OCSP adapter of the `OcspClient` port: RFC 6960 over HTTP POST (appendix A.1, `application/ocsp-request`)
to the responder the app chose (csms_authorization.domain.plug_and_charge.responder_url), with a timeout and a
bounded body. Network I/O only.
"""

from __future__ import annotations

import httpx

from csms_authorization.adapters.http_client import BodyTooLarge, client, post
from csms_authorization.ports import OcspUnavailable

MAX_RESPONSE_BYTES = 16 * 1024  # an OCSP response for one certificate is well under 4 KB (ocspResult: 5500 base64)


class HttpOcspClient:
    def __init__(self, timeout_s: float, http: httpx.AsyncClient | None = None) -> None:
        self._http = http or client(timeout_s)

    async def query(self, url: str, request_der: bytes) -> bytes:
        try:
            status, body = await post(self._http, url, request_der, "application/ocsp-request", MAX_RESPONSE_BYTES)
        except httpx.TimeoutException as exc:
            raise OcspUnavailable(f"OCSP responder {url} timed out") from exc
        except (httpx.HTTPError, BodyTooLarge) as exc:
            raise OcspUnavailable(f"OCSP responder {url}: {exc}") from exc
        if status != 200:
            raise OcspUnavailable(f"OCSP responder {url} answered HTTP {status}")
        return body

    async def close(self) -> None:
        await self._http.aclose()
