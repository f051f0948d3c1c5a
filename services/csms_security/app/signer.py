"""The certificate signer: signs the accepted signing requests with the CA of their certificate type, stores each
request's certificate once, publishes `certificate_issued` and hands the chain to device-model's
`certificate-signed` command (sent now, or once the station is back, until an expiry).

Exactly once where it matters (docs/adr/0026-security-service.md): the handler stores the request under an id
derived from the CALL (a redelivered CALL names the same request); the certificate is stored with a
compare-and-set, so a request gets one certificate even when two signers overlap; the `certificate_issued` event
has an id derived from the request (the log keeps it once); the hand-over to device-model carries an idempotency
key derived from the request, so a signer that stops between `SendCommand` and marking the request done, and
hands it over again, makes no second CertificateSigned. Requests are signed `settle` after the CALL was received,
so the SignCertificate answer normally reaches the station before CertificateSigned. Runs on the instance holding
its lease.
No I/O of its own: the store, device-model, the event log, the lease and the clock are injected.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import datetime, timedelta

from cryptography import x509

from csms.security.v1 import security_pb2
from csms_kernel.outbox.relay import UNAVAILABLE, Lease, LeaseKeeper
from csms_kernel.security.events import csms_event
from csms_security.domain.authority import Authorities, Issued, issued
from csms_security.domain.csr import V2G
from csms_security.domain.events import derived_id
from csms_security.ports import CommandFailed, SecurityEventPublisher, SigningRequest, SigningRequests, StationCommands

log = logging.getLogger(__name__)

LEASE_NAME = "certificate_signer"
CERTIFICATE_SIGNED = "certificate-signed"


def command_type(certificate_type: str) -> str:
    """The `certificate_type` param of the `certificate-signed` command (docs/adr/0024)."""
    return "v2g" if certificate_type == V2G else "charging_station"


class CertificateSigner:
    def __init__(
        self,
        requests: SigningRequests,
        commands: StationCommands,
        events: SecurityEventPublisher,
        authorities: Authorities,
        lease: Lease,
        clock: Callable[[], datetime],
        *,
        validity: timedelta,
        command_expiry: timedelta,
        settle: timedelta = timedelta(seconds=1),
        poll_s: float = 1.0,
        lease_s: float = 15.0,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._requests = requests
        self._commands = commands
        self._events = events
        self._authorities = authorities
        self._lease = LeaseKeeper(lease, lease_s, monotonic)
        self._clock = clock
        self._validity = validity
        self._expiry = command_expiry
        self._settle = settle
        self._poll_s = poll_s

    async def run(self) -> None:
        """Signs while holding the lease, until cancelled; gives the lease up on the way out."""
        await self._lease.run_while_held(self.sign_pending, self._poll_s, "certificate signer")

    async def sign_pending(self) -> int:
        """Signs and sends every pending request received `settle` ago or earlier; returns how many were handed
        to device-model. A request device-model could not take now stays pending for the next pass."""
        now = self._clock()
        handed = 0
        for request in await self._requests.pending(now - self._settle):
            try:
                await self.sign(request, now)
                handed += 1
            except CommandFailed as exc:
                log.warning("certificate for %s not handed over yet: %s", request.station_id, exc)
            except UNAVAILABLE:
                raise
            except Exception:
                # A bug with one request must not stop the others (nor the process); it is tried again next pass.
                log.exception("signing request %s of %s failed", request.request_id, request.station_id)
        return handed

    async def sign(self, request: SigningRequest, now: datetime) -> None:
        certificate = await self._requests.issued_for(request.request_id)
        if certificate is None:
            authority = self._authorities.get(request.certificate_type)
            if authority is None:
                log.error(
                    "no CA for %s any more: request %s of %s dropped",
                    request.certificate_type,
                    request.request_id,
                    request.station_id,
                )
                await self._requests.done(request, now)
                return
            csr = x509.load_pem_x509_csr(request.csr_pem.encode("ascii"))
            leaf = authority.sign(csr, self._validity, now)
            certificate = await self._requests.issue_once(
                issued(request.request_id, request.station_id, request.certificate_type, leaf, authority, now)
            )
        await self._events.publish([_issued_event(certificate)])
        params: dict[str, object] = {
            "certificate_chain_pem": certificate.chain_pem,
            "certificate_type": command_type(certificate.certificate_type),
        }
        if request.ocpp_request_id is not None:
            params["request_id"] = request.ocpp_request_id
        try:
            await self._commands.send(
                request.station_id,
                CERTIFICATE_SIGNED,
                params,
                now + self._expiry,
                f"certificate-signed/{request.request_id}",
            )
        except CommandFailed as exc:
            if exc.retryable:
                raise
            log.error("certificate %s for %s cannot be sent: %s", certificate.serial_number, request.station_id, exc)
        await self._requests.done(request, now)


def _issued_event(certificate: Issued) -> security_pb2.SecurityEventRecorded:
    record = csms_event(
        "certificate_issued",
        certificate.station_id,
        f"{certificate.certificate_type} serial {certificate.serial_number} issued",
        details={
            "certificate_type": certificate.certificate_type,
            "serial_number": certificate.serial_number,
            "not_after": certificate.not_after.isoformat(),
            "fingerprint_sha256": certificate.fingerprint_sha256,
        },
        now=certificate.issued_at,
    )
    record.event.event_id = derived_id("issued", certificate.request_id)
    return record
