"""Station secrets inside CSMS-initiated CALLs, and their redaction for the frame log (ADR 0024).

A password rotation or profile upgrade sends the station its new secret: 2.x SetVariables
`SecurityCtrlr.BasicAuthPassword`, 1.6 ChangeConfiguration `AuthorizationKey`, 2.1 SetNetworkProfile
`connectionData.basicAuthPassword`. The frame goes to the station as is; the copy kept in `ocpp.frames.v1` (kept
for days, read by every service and by operators' tools) carries `REDACTED` instead. Pure.
"""

from __future__ import annotations

import json
from typing import Any

REDACTED = "<redacted>"

SECRET_CARRYING_ACTIONS = frozenset({"SetVariables", "ChangeConfiguration", "SetNetworkProfile"})


def redact_call_frame(action: str, frame: str) -> str:
    """The CALL frame `[2, id, action, payload]` with any station secret replaced by `REDACTED` (the same text when
    it holds none, or is not a well-formed CALL)."""
    if action not in SECRET_CARRYING_ACTIONS:
        return frame
    try:
        message = json.loads(frame)
    except ValueError:
        return frame
    if not (isinstance(message, list) and len(message) == 4 and isinstance(message[3], dict)):
        return frame
    if not _redact(action, message[3]):
        return frame
    return json.dumps(message, separators=(",", ":"), ensure_ascii=False)


def _redact(action: str, payload: dict[str, Any]) -> bool:
    if action == "ChangeConfiguration":
        if str(payload.get("key", "")).casefold() == "authorizationkey" and "value" in payload:
            payload["value"] = REDACTED
            return True
        return False
    if action == "SetNetworkProfile":
        data = payload.get("connectionData")
        if isinstance(data, dict) and "basicAuthPassword" in data:
            data["basicAuthPassword"] = REDACTED
            return True
        return False
    changed = False
    for item in payload.get("setVariableData") or ():
        if not isinstance(item, dict):
            continue
        component, variable = item.get("component"), item.get("variable")
        if (
            isinstance(component, dict)
            and isinstance(variable, dict)
            and str(component.get("name", "")).casefold() == "securityctrlr"
            and str(variable.get("name", "")).casefold() == "basicauthpassword"
            and "attributeValue" in item
        ):
            item["attributeValue"] = REDACTED
            changed = True
    return changed
