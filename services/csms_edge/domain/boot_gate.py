"""What a station may send while its boot is Pending or Rejected (docs/adr/0031), decided per connection from the
BootNotification answers the edge relays to it. Pure; no I/O.

- Pending (OCPP 2.0.1 B02.FR.02/B02.FR.09; 1.6 §4.2 "SHALL NOT send request messages ... unless it has been
  instructed by the Central System to do so with a TriggerMessage.req"): only BootNotification, and the messages
  the CSMS asked for on this connection since that answer — the one a TriggerMessage requested, NotifyReport after
  GetBaseReport/GetReport, and the notifications other CSMS requests are answered with (`ASKED_BY`).
- Rejected (B03.FR.02/B03.FR.07; 1.6 §4.2): only BootNotification.
- Accepted, or a station that never booted: anything. A station that reconnects does not boot again (OCPP-J 2.x
  Part 4 §5.4): until a boot answer is relayed on a connection, the status of its last boot on any connection rules
  (looked up once per connection by the session, `edge.app.session`).
A refused CALL is answered CALLERROR SecurityError (the code is the same on 1.6 and 2.x). The station's answers
(CALLRESULT/CALLERROR) to the CSMS's CALLs are never refused.
"""

from __future__ import annotations

import json
from typing import Any

BOOT_NOTIFICATION = "BootNotification"
PENDING = "Pending"
REJECTED = "Rejected"
SECURITY_ERROR = "SecurityError"

ASKED_BY: dict[str, tuple[str, ...]] = {
    "GetBaseReport": ("NotifyReport",),
    "GetReport": ("NotifyReport",),
    "GetMonitoringReport": ("NotifyMonitoringReport",),
    "CustomerInformation": ("NotifyCustomerInformation",),
    "GetDisplayMessages": ("NotifyDisplayMessages",),
    "GetChargingProfiles": ("ReportChargingProfiles",),
    "GetLog": ("LogStatusNotification",),
    "GetDiagnostics": ("DiagnosticsStatusNotification",),
    "UpdateFirmware": ("FirmwareStatusNotification",),
    "SignedUpdateFirmware": ("SignedFirmwareStatusNotification",),
    "PublishFirmware": ("PublishFirmwareStatusNotification",),
}
"""A CSMS request → the station requests that answer it."""


def registration_status(frame: str) -> str:
    """The status of a BootNotification CALLRESULT frame ("" when it has none)."""
    try:
        parsed = json.loads(frame)
        status = parsed[2].get("status", "")
    except (ValueError, IndexError, KeyError, TypeError, AttributeError):
        return ""
    return status if isinstance(status, str) else ""


def asked_for(action: str, payload: dict[str, Any]) -> tuple[str, ...]:
    """The station requests a CSMS CALL asks for: a TriggerMessage's (1.6 ExtendedTriggerMessage's) requested
    message (the Sign*Certificate triggers are all answered with SignCertificate), or `ASKED_BY`."""
    if action in ("TriggerMessage", "ExtendedTriggerMessage"):
        requested = payload.get("requestedMessage")
        if not isinstance(requested, str):
            return ()
        return ("SignCertificate",) if requested.startswith("Sign") else (requested,)
    return ASKED_BY.get(action, ())


def refusal(registration: str, asked: frozenset[str] | set[str], action: str) -> str | None:
    """Why a station CALL of `action` is refused, given the connection's last boot answer and what the CSMS
    asked for since; None when it is allowed."""
    if action == BOOT_NOTIFICATION or registration not in (PENDING, REJECTED):
        return None
    if registration == PENDING:
        if action in asked:
            return None
        return (
            f"boot Pending: only BootNotification and messages the CSMS asked for may be sent, not {action} "
            "(OCPP 2.0.1 B02.FR.09, 1.6 4.2)"
        )
    return f"boot Rejected: only BootNotification may be sent, not {action} (OCPP 2.0.1 B03.FR.07, 1.6 4.2)"
