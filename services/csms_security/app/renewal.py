"""The renewal sweep: every `interval_s`, on the one instance holding its lease, asks each station whose newest
ChargingStationCertificate expires within `renew_before` to send a new CSR (device-model's `trigger-message`
command with `sign_charging_station_certificate`: 2.x TriggerMessage, 1.6 ExtendedTriggerMessage), at most
once per `retry` for the same certificate, and records that it asked. No I/O of its own: the store,
device-model, the lease and the clock are injected."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import datetime, timedelta

from csms_kernel.outbox.relay import UNAVAILABLE, Lease, LeaseKeeper
from csms_security.domain.renewal import renewal_due
from csms_security.ports import CommandFailed, IssuedCertificates, RenewalCandidate, StationCommands

log = logging.getLogger(__name__)

LEASE_NAME = "renewal_sweep"
TRIGGER = {"message": "sign_charging_station_certificate"}


def renewal_key(candidate: RenewalCandidate) -> str:
    """The idempotency key of one ask: the certificate and the previous ask, so a sweep stopping between the
    command and recording the ask asks again with the same key (one command), and the next ask after `retry` is
    a new command."""
    previous = candidate.requested_at.isoformat() if candidate.requested_at is not None else "first"
    return f"renewal/{candidate.serial_number}/{previous}"


class RenewalSweeper:
    def __init__(
        self,
        certificates: IssuedCertificates,
        commands: StationCommands,
        lease: Lease,
        clock: Callable[[], datetime],
        *,
        renew_before: timedelta,
        retry: timedelta,
        command_expiry: timedelta,
        interval_s: float = 60.0,
        lease_s: float = 15.0,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._certificates = certificates
        self._commands = commands
        self._lease = LeaseKeeper(lease, lease_s, monotonic)
        self._clock = clock
        self._renew_before = renew_before
        self._retry = retry
        self._expiry = command_expiry
        self._interval_s = interval_s

    async def run(self) -> None:
        """Sweeps while holding the lease, until cancelled; gives the lease up on the way out."""
        await self._lease.run_while_held(self.sweep, self._interval_s, "renewal sweep")

    async def sweep(self) -> list[str]:
        """Asks every station that is due; returns the stations asked."""
        now = self._clock()
        asked = []
        for candidate in await self._certificates.renewal_candidates():
            if not renewal_due(candidate, now, self._renew_before, self._retry):
                continue
            try:
                await self._commands.send(
                    candidate.station_id, "trigger-message", TRIGGER, now + self._expiry, renewal_key(candidate)
                )
                asked.append(candidate.station_id)
            except UNAVAILABLE:
                raise
            except CommandFailed as exc:
                log.warning("renewal of %s not asked: %s", candidate.station_id, exc)
                if exc.retryable:
                    continue
            # Also after a final refusal (e.g. the station's version cannot be asked): not again before `retry`.
            await self._certificates.renewal_requested(candidate.station_id, candidate.serial_number, now)
        return asked
