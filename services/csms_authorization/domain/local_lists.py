"""SendLocalList messages, pure: the current list (or its changes since a version) for one station, in as
many messages as the station's limits require (the requests are built by `csms_authorization/ocpp/<version>/
send_local_list.py`; the limits are read by `v16/get_configuration.py` and `v201|v21/get_variables.py`).

Each entry carries the decision the CSMS would give at that station now (`decision.decide`): its status,
expiry and group, NotAtThisLocation (1.6 Invalid) where the token is restricted to other stations. A token
that left the list is sent without info in a differential update (the protocol's "remove"). Tokens too long
for the station's version cannot be sent and are counted as skipped.

Splitting (docs/adr/0006): an update too large for one message goes as a first message of its own type
(Full or Differential) followed by Differential ones, entries in the order of the list version that last
changed them. Every message but the last carries the highest version V such that every entry changed in V or
before has been sent, and the last the update's version; the versions strictly increase (a station answers
VersionMismatch to a differential update that does not move its version on). A station that stops part way
so holds a version it really is in step with: a differential update from that version completes it. No I/O.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from itertools import chain
from typing import Any, NamedTuple

from csms_authorization.domain.decision import decide
from csms_authorization.domain.tokens import fits
from csms_authorization.ocpp.info import id_tag_info, id_token_info
from csms_authorization.ocpp.v16 import send_local_list as v16_send_local_list
from csms_authorization.ocpp.v21 import send_local_list as v21_send_local_list
from csms_authorization.ocpp.v201 import send_local_list as v201_send_local_list
from csms_authorization.ports import ListEntry, ListSnapshot
from csms_kernel.ocpp.framing import MAX_MESSAGE_ID_LENGTH, call_frame
from csms_kernel.ocpp.payloads import to_payload
from csms_kernel.ocpp.versions import OcppVersion

SEND_LOCAL_LIST = "SendLocalList"
FULL = "Full"
DIFFERENTIAL = "Differential"

# The SendLocalList request of each version: (list version, update type, entries) -> `ocpp` call dataclass.
_REQUESTS: dict[OcppVersion, Callable[[int, str, list[dict[str, Any]]], Any]] = {
    OcppVersion.V16: v16_send_local_list.request,
    OcppVersion.V201: v201_send_local_list.request,
    OcppVersion.V21: v21_send_local_list.request,
}


@dataclass(frozen=True)
class MessageLimits:
    """What a station reported about its local list; None: not reported (no limit)."""

    items_per_message: int | None = None
    bytes_per_message: int | None = None
    # entries the station's list can hold (1.6 LocalAuthListMaxLength)
    capacity: int | None = None


NO_LIMITS = MessageLimits()


@dataclass(frozen=True)
class Message:
    """One SendLocalList request (an `ocpp` call dataclass of the station's version) and the list version it
    carries."""

    version_number: int
    request: Any

    @property
    def payload(self) -> dict[str, Any]:
        return to_payload(self.request)


class ListItem(NamedTuple):
    """An entry of an update."""

    changed_in: int
    key: str
    # an AuthorizationData (snake_case, as the `ocpp` package holds nested objects)
    data: dict[str, Any]
    # its share of a message: its JSON and a comma
    size: int


@dataclass(frozen=True)
class LocalListUpdate:
    """An update of one station's list: its type, version, entries and the messages that carry it."""

    ocpp_version: OcppVersion
    update_type: str
    version_number: int
    # the version the station holds before: `since` of a differential update, 0 for a full one
    held: int
    # by the version that last changed them, then token key
    items: tuple[ListItem, ...]
    skipped: int

    @property
    def entries(self) -> int:
        return len(self.items)

    def messages(self, limits: MessageLimits = NO_LIMITS) -> list[Message]:
        """One message when it fits the limits, else as many as they require (see the module docstring). An
        entry over the byte limit on its own, or more entries of one version than fit a message, go over a
        limit rather than be left out."""
        # Every message's frame without its entries is at most this long (the longest type, the highest version).
        base = _frame_bytes(to_payload(self._request(DIFFERENTIAL, self.version_number, ())))
        if self._fit(0, limits, base) == len(self.items):
            return [self._message(self.update_type, self.version_number, self.items)]
        messages: list[Message] = []
        start, held = 0, self.held
        while start < len(self.items):
            end = self._boundary(start, self._fit(start, limits, base), held)
            version = self.items[end].changed_in - 1 if end < len(self.items) else self.version_number
            update_type = DIFFERENTIAL if messages else self.update_type
            messages.append(self._message(update_type, version, self.items[start:end]))
            start, held = end, version
        return messages

    def _fit(self, start: int, limits: MessageLimits, base: int) -> int:
        """The end of the most items from `start` on that fit one message (at least one)."""
        end, size = start, base
        while end < len(self.items):
            size += self.items[end].size
            full = limits.items_per_message is not None and end - start >= limits.items_per_message
            too_big = limits.bytes_per_message is not None and size > limits.bytes_per_message
            if end > start and (full or too_big):
                break
            end += 1
        return end

    def _boundary(self, start: int, end: int, held: int) -> int:
        """Where a message from `start` ends: at `end`, else the nearest index before it, else after it, whose
        entry's version less one lies strictly between `held` and the update's version (so every entry changed
        in that version or earlier comes before the index); the end of the items when there is none."""

        if end < len(self.items):
            for i in chain(range(end, start, -1), range(end + 1, len(self.items))):
                if held < self.items[i].changed_in - 1 < self.version_number:
                    return i
        return len(self.items)

    def _message(self, update_type: str, version_number: int, items: tuple[ListItem, ...]) -> Message:
        ordered = tuple(sorted(items, key=lambda i: i.key))
        return Message(version_number, self._request(update_type, version_number, ordered))

    def _request(self, update_type: str, version_number: int, items: tuple[ListItem, ...]) -> Any:
        return _REQUESTS[self.ocpp_version](version_number, update_type, [i.data for i in items])


def update_for(
    snapshot: ListSnapshot, version: OcppVersion, station_id: str, since: int | None, at: datetime
) -> LocalListUpdate:
    """A Full update (`since` None) or a Differential one with the entries changed after version `since`."""
    if since is None:
        chosen = [entry for entry in snapshot.entries if not entry.removed]
    else:
        chosen = [entry for entry in snapshot.entries if entry.changed_in > since]
    sendable = sorted((e for e in chosen if fits(e.token.id_token, version)), key=lambda e: (e.changed_in, e.token.key))
    update_type = FULL if since is None else DIFFERENTIAL
    data = [_authorization_data(entry, version, station_id, at) for entry in sendable]
    # The request spells every item in the version's terms (camelCase keys), as the station receives it.
    payloads = to_payload(_REQUESTS[version](0, update_type, data)).get("localAuthorizationList", [])
    items = tuple(
        ListItem(e.changed_in, e.token.key, d, len(json.dumps(p, separators=(",", ":"))) + 1)
        for e, d, p in zip(sendable, data, payloads, strict=True)
    )
    return LocalListUpdate(version, update_type, snapshot.version, since or 0, items, len(chosen) - len(items))


def _authorization_data(entry: ListEntry, version: OcppVersion, station_id: str, at: datetime) -> dict[str, Any]:
    """One entry (snake_case, as the ocpp package's dataclasses hold nested objects)."""
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


def _frame_bytes(payload: dict[str, Any]) -> int:
    """The size of the CALL frame carrying `payload`, with a message id as long as OCPP allows."""
    return len(call_frame("0" * MAX_MESSAGE_ID_LENGTH, SEND_LOCAL_LIST, payload).encode())


def positive_limit(value: object) -> int | None:
    """A limit a station reported as text: a positive integer, else none."""
    if not isinstance(value, str) or not value.strip().isdigit():
        return None
    number = int(value)
    return number if number > 0 else None
