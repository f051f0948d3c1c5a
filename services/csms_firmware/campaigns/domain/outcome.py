"""What a station's firmware history (domain/history.py, the same fold the API shows) says about one campaign
attempt, found by its request key: succeeded when the first boot after Installed reports the campaign's version
(or, without one, a version other than before); failed on a failure status, a command the station rejected or
device-model failed or expired, or a boot with another version. Pure, no I/O."""

from __future__ import annotations

import json

from csms_firmware.campaigns.domain.campaign import IN_PROGRESS, Outcome
from csms_firmware.domain.history import FIRMWARE_UPDATE, StationHistory

FAILURE_STATUSES = frozenset(
    {
        "DownloadFailed",
        "InstallationFailed",
        "InstallVerificationFailed",
        "InvalidSignature",
        "InvalidCertificate",
        "RevokedCertificate",
        "InstallRebootingFailed",
    }
)
_REFUSED = frozenset({"rejected", "accepted_canceled", "invalid_certificate", "revoked_certificate"})


def attempt_outcome(history: StationHistory, request_key: str, version: str) -> Outcome:
    for entry in history.of_kind(FIRMWARE_UPDATE):
        if entry.request.request_key != request_key:
            continue
        if entry.booted_version:
            if (entry.booted_version == version) if version else entry.new_version_booted:
                return Outcome(succeeded=True, version=entry.booted_version)
            return Outcome(failed=True, reason=f"booted firmware {entry.booted_version!r} after Installed")
        if entry.last_status in FAILURE_STATUSES:
            return Outcome(failed=True, reason=f"the station reported {entry.last_status}")
        outcome = entry.command_outcome
        if outcome.state in ("FAILED", "EXPIRED"):
            return Outcome(failed=True, reason=f"command {outcome.state.lower()}: {outcome.failure}".rstrip(": "))
        if outcome.state == "ANSWERED" and _answer(outcome.result_json) in _REFUSED:
            return Outcome(failed=True, reason=f"the station answered {_answer(outcome.result_json)}")
        return IN_PROGRESS
    return IN_PROGRESS


def _answer(result_json: str) -> str:
    try:
        found = json.loads(result_json or "{}")
    except ValueError:
        return ""
    status = found.get("status") if isinstance(found, dict) else None
    return status.lower() if isinstance(status, str) else ""
