"""SendLocalList payloads, pure: the current list (or its changes since a version) for one station.

Each entry carries the decision the CSMS would give at that station now (`decision.decide`): its status,
expiry and group, NotAtThisLocation (1.6 Invalid) where the token is restricted to other stations. A token
that left the list is sent without info in a differential update (the protocol's "remove"). Tokens too long
for the station's version cannot be sent and are counted as skipped. No I/O.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from authorization.decision import decide
from authorization.local_list_store import ListEntry, ListSnapshot
from authorization.ocpp.info import id_tag_info, id_token_info
from authorization.tokens import fits
from csms.runtime.payloads import to_payload
from csms.runtime.versions import OcppVersion


@dataclass(frozen=True)
class LocalListUpdate:
    payload: dict[str, Any]
    version_number: int
    entries: int
    skipped: int


def update_for(
    snapshot: ListSnapshot, version: OcppVersion, station_id: str, since: int | None, at: datetime
) -> LocalListUpdate:
    """A Full update (`since` None) or a Differential one with the entries changed after version `since`."""
    if since is None:
        chosen = [entry for entry in snapshot.entries if not entry.removed]
    else:
        chosen = [entry for entry in snapshot.entries if entry.changed_in > since]
    sendable = sorted((e for e in chosen if fits(e.token.id_token, version)), key=lambda e: e.token.key)
    items = [_item(entry, version, station_id, at) for entry in sendable]
    update_type = "Full" if since is None else "Differential"
    call = version.call_module
    if version is OcppVersion.V16:
        request = call.SendLocalList(
            list_version=snapshot.version, update_type=update_type, local_authorization_list=items or None
        )
    else:
        request = call.SendLocalList(
            version_number=snapshot.version, update_type=update_type, local_authorization_list=items or None
        )
    return LocalListUpdate(to_payload(request), snapshot.version, len(items), len(chosen) - len(items))


def _item(entry: ListEntry, version: OcppVersion, station_id: str, at: datetime) -> dict[str, Any]:
    token = entry.token
    if version is OcppVersion.V16:
        item: dict[str, Any] = {"id_tag": token.id_token}
        if not entry.removed:
            item["id_tag_info"] = id_tag_info(decide(token, None, station_id, at))
        return item
    item = {"id_token": {"id_token": token.id_token, "type": token.type.value}}
    if not entry.removed:
        item["id_token_info"] = id_token_info(decide(token, token.type.value, station_id, at), version)
    return item


def list_version_of(version: OcppVersion, answer: dict[str, Any]) -> int:
    """The version in a GetLocalListVersion answer (1.6 listVersion, 2.x versionNumber)."""
    return int(answer["listVersion" if version is OcppVersion.V16 else "versionNumber"])
