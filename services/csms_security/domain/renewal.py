"""When a station is asked to renew its ChargingStationCertificate (2.x TriggerMessage
SignChargingStationCertificate, 1.6 ExtendedTriggerMessage SignChargePointCertificate). Pure."""

from __future__ import annotations

from datetime import datetime, timedelta

from csms_security.ports import RenewalCandidate


def renewal_due(candidate: RenewalCandidate, now: datetime, renew_before: timedelta, retry: timedelta) -> bool:
    """Whether to ask now: the newest certificate expires within `renew_before`, and its renewal was not asked
    for yet or was asked for at least `retry` ago (the station did not answer with a new CSR)."""
    if candidate.not_after - renew_before > now:
        return False
    if candidate.requested_serial != candidate.serial_number or candidate.requested_at is None:
        return True
    return candidate.requested_at + retry <= now
