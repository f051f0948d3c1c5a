"""The OCPP shapes of an authorization decision: 1.6 idTagInfo and 2.x idTokenInfo (snake_case dicts, as the
`ocpp` package's dataclasses hold nested objects), used by the Authorize handlers and local list entries (a group
id too long for the version is left out: it is optional); and the 2.x shapes of Plug & Charge (OCSPRequestDataType
in, statusInfo out)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from csms_authorization.domain.decision import Decision
from csms_authorization.domain.plug_and_charge import OcspRequestData
from csms_authorization.domain.tokens import GROUP_TOKEN_TYPE, fits
from csms_kernel.ocpp.versions import OcppVersion


def id_tag_info(decision: Decision) -> dict[str, Any]:
    info: dict[str, Any] = {"status": decision.status.ocpp(OcppVersion.V16)}
    if decision.expiry is not None:
        info["expiry_date"] = ocpp_datetime(decision.expiry)
    if decision.group_id_token is not None and fits(decision.group_id_token, OcppVersion.V16):
        info["parent_id_tag"] = decision.group_id_token
    return info


def id_token_info(decision: Decision, version: OcppVersion) -> dict[str, Any]:
    info: dict[str, Any] = {"status": decision.status.ocpp(version)}
    if decision.expiry is not None:
        info["cache_expiry_date_time"] = ocpp_datetime(decision.expiry)
    if decision.group_id_token is not None and fits(decision.group_id_token, version):
        info["group_id_token"] = {"id_token": decision.group_id_token, "type": GROUP_TOKEN_TYPE.value}
    return info


def ocsp_request_data(data: dict[str, Any]) -> OcspRequestData:
    """2.x OCSPRequestDataType (snake_case, as the `ocpp` package gives it)."""
    return OcspRequestData(
        hash_algorithm=data["hash_algorithm"],
        issuer_name_hash=data["issuer_name_hash"],
        issuer_key_hash=data["issuer_key_hash"],
        serial_number=data["serial_number"],
        responder_url=data.get("responder_url", ""),
    )


def status_info(reason: str | None) -> dict[str, Any] | None:
    """2.x statusInfo with only the reason code: the details stay in the CSMS log (they may name internal
    addresses)."""
    return None if reason is None else {"reason_code": reason}


def ocpp_datetime(moment: datetime) -> str:
    """RFC 3339 UTC with milliseconds, as OCPP expects (e.g. 2026-11-21T22:13:10.123Z)."""
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
