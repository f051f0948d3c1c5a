"""Plug & Charge for 2.0.1/2.1 stations (docs/adr/0028): Get15118EVCertificate forwarded to the contract-certificate
provider, GetCertificateStatus answered from the OCSP responder the policy allows. Every failure (no provider, a
provider or responder that does not answer or answers nonsense, a station naming a responder outside the
allow-list with no default) becomes status Failed with a reason code, never an OCPP error; each is logged.

No I/O of its own: the provider and the OCSP client are injected ports.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from dataclasses import dataclass

from csms_authorization.domain.plug_and_charge import (
    CertificateState,
    ContractStatus,
    EvCertificateAnswer,
    EvCertificateRequest,
    EvCertificateStatus,
    InvalidOcspRequestData,
    InvalidOcspResponse,
    OcspRequestData,
    ResponderPolicy,
    check_exi,
    contract_status,
    ocsp_query,
    ocsp_result,
    responder_url,
)
from csms_authorization.ports import ContractCertificateProvider, ContractProviderFailed, OcspClient, OcspUnavailable

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class CertificateStatus:
    """The answer to GetCertificateStatus: the base64 DER OCSP response and what it says when Accepted, else a
    reason code."""

    accepted: bool
    ocsp_result: str | None = None
    state: CertificateState | None = None
    reason: str | None = None
    detail: str | None = None


class PlugAndCharge:
    def __init__(
        self, provider: ContractCertificateProvider | None, ocsp: OcspClient, responders: ResponderPolicy
    ) -> None:
        self._provider = provider
        self._ocsp = ocsp
        self._responders = responders

    async def ev_certificate(self, request: EvCertificateRequest, max_exi_response: int) -> EvCertificateAnswer:
        """The provider's answer to the EV's request, its exiResponse at most `max_exi_response` characters (the
        version's field length)."""
        if self._provider is None:
            return _failed_ev(request, "NoProvider", "no contract-certificate provider is configured")
        try:
            answer = await self._provider.request(request)
            if answer.exi_response or answer.status is EvCertificateStatus.ACCEPTED:
                check_exi(answer.exi_response, "exiResponse", max_exi_response)
        except ContractProviderFailed as exc:
            return _failed_ev(request, exc.reason, str(exc))
        except ValueError as exc:
            return _failed_ev(request, "ProviderError", f"provider answer: {exc}")
        if answer.status is EvCertificateStatus.FAILED:
            log.info(
                "Get15118EVCertificate of %s: the provider answered Failed (%s)", request.station_id, answer.reason
            )
        return answer

    async def certificate_status(self, station_id: str, data: OcspRequestData) -> CertificateStatus:
        try:
            query = ocsp_query(data)
        except InvalidOcspRequestData as exc:
            return _failed_status(station_id, "InvalidRequestData", str(exc))
        url = responder_url(data.responder_url, self._responders)
        if url is None:
            return _failed_status(
                station_id, "ResponderNotAllowed", f"responder {data.responder_url!r} is not in the allow-list"
            )
        try:
            result = ocsp_result(await self._ocsp.query(url, query.request_der), query)
            return CertificateStatus(True, result.encoded, result.state)
        except OcspUnavailable as exc:
            return _failed_status(station_id, "ResponderUnavailable", str(exc))
        except InvalidOcspResponse as exc:
            return _failed_status(station_id, "InvalidResponse", f"responder {url}: {exc}")

    async def contract_status(self, station_id: str, chain: Sequence[OcspRequestData]) -> ContractStatus:
        """The OCSP verdict on a contract certificate chain (Authorize's iso15118CertificateHashData, at most 4
        certificates): each asked at once, under the same allow-list as GetCertificateStatus."""
        answers = await asyncio.gather(*(self.certificate_status(station_id, data) for data in chain))
        return contract_status([answer.state for answer in answers])


def _failed_ev(request: EvCertificateRequest, reason: str, detail: str) -> EvCertificateAnswer:
    log.warning("Get15118EVCertificate of %s failed: %s (%s)", request.station_id, reason, detail)
    return EvCertificateAnswer.failed(reason, detail)


def _failed_status(station_id: str, reason: str, detail: str) -> CertificateStatus:
    log.warning("GetCertificateStatus of %s failed: %s (%s)", station_id, reason, detail)
    return CertificateStatus(False, reason=reason, detail=detail)
