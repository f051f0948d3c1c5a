"""What every authorization OCPP handler receives: the call, the authorizer, active sessions, reservations, Plug &
Charge and settings."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from csms_authorization.app.authorizer import Authorizer
from csms_authorization.app.plug_and_charge import PlugAndCharge
from csms_authorization.domain.decision import Decision
from csms_authorization.domain.plug_and_charge import ContractStatus
from csms_authorization.ocpp.info import ocsp_request_data
from csms_authorization.ports import ActiveSessions, ReservationStore
from csms_kernel.handling.router import CallInfo, Emitted


@dataclass(frozen=True)
class AuthorizationContext:
    call: CallInfo
    emitted: Emitted
    authorizer: Authorizer
    sessions: ActiveSessions
    reservations: ReservationStore
    # 1.6: answer ConcurrentTx for a token that already has an active transaction
    concurrent_tx: bool
    plug_and_charge: PlugAndCharge

    @property
    def now(self) -> datetime:
        """The CSMS time of the call: when the edge received it, so a redelivered frame gets the same answer."""
        return self.call.received_at

    async def decide(self, id_token: str, presented_type: str | None) -> Decision:
        """The decision for a token presented by the calling station (reads the token store)."""
        return await self.authorizer.decide(id_token, presented_type, self.call.station_id, self.now)

    async def contract_status(self, hash_data: list[dict[str, Any]] | None) -> ContractStatus | None:
        """2.x Authorize of an ISO 15118 contract: the OCSP verdict on the certificate chain the station sent as
        iso15118CertificateHashData; None when it sent none."""
        if not hash_data:
            return None
        chain = [ocsp_request_data(data) for data in hash_data]
        return await self.plug_and_charge.contract_status(self.call.station_id, chain)
