"""The HTTP adapter of the `ContractCertificateProvider` port (docs/adr/0028 describes the protocol): one JSON POST
to `CSMS_AUTHORIZATION_CONTRACT_PROVIDER_URL` per Get15118EVCertificate, with a timeout and a bounded body.

Request: `{"stationId", "ocppVersion", "iso15118SchemaVersion", "action", "exiRequest"}` plus, for ISO 15118-20
sessions of 2.1 stations, `"maximumContractCertificateChains"` and `"prioritizedEMAIDs"`. Answer (HTTP 200):
`{"status": "Accepted" | "Failed", "exiResponse": base64, "remainingContracts"?: int, "reasonCode"?: str}`.
Anything else (another status code, a timeout, no connection, malformed JSON) raises `ContractProviderFailed`.
Network I/O only.
"""

from __future__ import annotations

import json
from typing import Any

import httpx

from csms_authorization.adapters.http_client import BodyTooLarge, client, post
from csms_authorization.domain.plug_and_charge import EvCertificateAnswer, EvCertificateRequest, EvCertificateStatus
from csms_authorization.ports import ContractProviderFailed

MAX_RESPONSE_BYTES = 64 * 1024  # exiResponse is at most 17000 base64 characters (2.1)
REASON_MAX_LENGTH = 20  # StatusInfoType.reasonCode


class HttpContractCertificateProvider:
    def __init__(self, url: str, timeout_s: float, http: httpx.AsyncClient | None = None) -> None:
        self._url = url
        self._http = http or client(timeout_s)

    async def request(self, request: EvCertificateRequest) -> EvCertificateAnswer:
        body: dict[str, Any] = {
            "stationId": request.station_id,
            "ocppVersion": request.ocpp_version,
            "iso15118SchemaVersion": request.iso15118_schema_version,
            "action": request.action,
            "exiRequest": request.exi_request,
        }
        if request.maximum_contract_certificate_chains is not None:
            body["maximumContractCertificateChains"] = request.maximum_contract_certificate_chains
        if request.prioritized_emaids:
            body["prioritizedEMAIDs"] = list(request.prioritized_emaids)
        try:
            status, answer = await post(
                self._http, self._url, json.dumps(body).encode(), "application/json", MAX_RESPONSE_BYTES
            )
        except httpx.TimeoutException as exc:
            raise ContractProviderFailed("ProviderTimeout", "the contract-certificate provider timed out") from exc
        except (httpx.HTTPError, BodyTooLarge) as exc:
            raise ContractProviderFailed("ProviderUnavailable", f"contract-certificate provider: {exc}") from exc
        if status != 200:
            raise ContractProviderFailed("ProviderError", f"the contract-certificate provider answered HTTP {status}")
        return _answer(answer)

    async def close(self) -> None:
        await self._http.aclose()


def _answer(body: bytes) -> EvCertificateAnswer:
    try:
        answer = json.loads(body)
        status = EvCertificateStatus(answer["status"])
        exi_response = answer.get("exiResponse", "")
        remaining = answer.get("remainingContracts")
        reason = answer.get("reasonCode")
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise ContractProviderFailed("ProviderError", f"malformed provider answer: {exc!r}") from None
    if not isinstance(exi_response, str) or not (remaining is None or (isinstance(remaining, int) and remaining >= 0)):
        raise ContractProviderFailed("ProviderError", "malformed provider answer: exiResponse or remainingContracts")
    if status is EvCertificateStatus.FAILED:
        reason_code = reason if isinstance(reason, str) and 0 < len(reason) <= REASON_MAX_LENGTH else "ProviderFailed"
        return EvCertificateAnswer(status, exi_response, remaining, reason_code, "the provider refused the request")
    return EvCertificateAnswer(status, exi_response, remaining)
