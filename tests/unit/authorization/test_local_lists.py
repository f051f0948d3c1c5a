"""SendLocalList payloads per version (pure): full and differential, removals, restrictions, length limits;
updates split to a station's message limits, and reading those limits."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import pytest

from csms_authorization.domain.local_lists import Message, MessageLimits, update_for
from csms_authorization.domain.tokens import TokenStatus, TokenType
from csms_authorization.ports import ListEntry, ListSnapshot
from csms_kernel.ocpp.framing import call_frame
from csms_kernel.ocpp.schemas import MessageKind, validate
from csms_kernel.ocpp.versions import OcppVersion
from kit.builders.authorization import EXPIRES, EXPIRES_ISO, NOW, STATION, a_token


def sent(messages: list[Message]) -> list[tuple[int, dict[str, Any]]]:
    """Each message's list version and the payload of its request."""
    return [(m.version_number, m.payload) for m in messages]


SNAPSHOT = ListSnapshot(
    7,
    [
        ListEntry(2, a_token("B-ACCEPTED", expires_at=EXPIRES, group_id_token="FLEET-1", local_list=True), False),
        ListEntry(5, a_token("A-BLOCKED", type=TokenType.KEY_CODE, status=TokenStatus.BLOCKED, local_list=True), False),
        ListEntry(6, a_token("C-GONE", type=TokenType.LOCAL), True),
        ListEntry(7, a_token("D-ELSEWHERE", station_ids=frozenset({"CS-9"}), local_list=True), False),
        ListEntry(3, a_token("E-EXPIRED", expires_at=NOW - timedelta(seconds=1), local_list=True), False),
        ListEntry(4, a_token("F" * 40, type=TokenType.EMAID, local_list=True), False),
    ],
)


def test_a_full_16_list_has_every_present_idtag_with_its_decision() -> None:
    update = update_for(SNAPSHOT, OcppVersion.V16, STATION, None, NOW)
    [message] = update.messages()
    assert sent([message]) == [
        (
            7,
            {
                "listVersion": 7,
                "updateType": "Full",
                "localAuthorizationList": [
                    {"idTag": "A-BLOCKED", "idTagInfo": {"status": "Blocked"}},
                    {
                        "idTag": "B-ACCEPTED",
                        "idTagInfo": {"status": "Accepted", "expiryDate": EXPIRES_ISO, "parentIdTag": "FLEET-1"},
                    },
                    {"idTag": "D-ELSEWHERE", "idTagInfo": {"status": "Invalid"}},
                    {
                        "idTag": "E-EXPIRED",
                        "idTagInfo": {"status": "Expired", "expiryDate": "2026-11-21T11:59:59.123Z"},
                    },
                ],
            },
        )
    ]
    assert (update.version_number, update.entries, update.skipped) == (7, 4, 1)
    validate(OcppVersion.V16, "SendLocalList", MessageKind.REQUEST, message.payload)


def test_a_differential_201_update_has_the_changes_since_a_version_and_removals() -> None:
    update = update_for(SNAPSHOT, OcppVersion.V201, STATION, 3, NOW)
    [message] = update.messages()
    assert message.payload == {
        "versionNumber": 7,
        "updateType": "Differential",
        "localAuthorizationList": [
            {"idToken": {"idToken": "A-BLOCKED", "type": "KeyCode"}, "idTokenInfo": {"status": "Blocked"}},
            {"idToken": {"idToken": "C-GONE", "type": "Local"}},
            {"idToken": {"idToken": "D-ELSEWHERE", "type": "ISO14443"}, "idTokenInfo": {"status": "NotAtThisLocation"}},
        ],
    }
    assert (update.entries, update.skipped) == (3, 1)
    validate(OcppVersion.V201, "SendLocalList", MessageKind.REQUEST, message.payload)


def test_21_carries_long_tokens() -> None:
    update = update_for(SNAPSHOT, OcppVersion.V21, STATION, 3, NOW)
    [message] = update.messages()
    assert message.payload["localAuthorizationList"][3] == {
        "idToken": {"idToken": "F" * 40, "type": "eMAID"},
        "idTokenInfo": {"status": "Accepted"},
    }
    assert (update.entries, update.skipped) == (4, 0)
    validate(OcppVersion.V21, "SendLocalList", MessageKind.REQUEST, message.payload)


def test_an_empty_update_leaves_the_list_out() -> None:
    for version in OcppVersion:
        update = update_for(SNAPSHOT, version, STATION, 7, NOW)
        [message] = update.messages(MessageLimits(items_per_message=1, bytes_per_message=1))
        assert "localAuthorizationList" not in message.payload and update.entries == 0
        validate(version, "SendLocalList", MessageKind.REQUEST, message.payload)
    assert sent(update_for(ListSnapshot(0, []), OcppVersion.V201, STATION, None, NOW).messages()) == [
        (0, {"versionNumber": 0, "updateType": "Full"})
    ]


@dataclass
class StationList:
    """A station's local list as the protocol has it: a differential update must move the version on."""

    version: OcppVersion
    number: int = 0
    entries: dict[str, Any] = field(default_factory=lambda: {"STALE": {"status": "Accepted"}})

    def apply(self, payload: dict[str, Any]) -> str:
        number = payload["listVersion" if self.version is OcppVersion.V16 else "versionNumber"]
        if payload["updateType"] == "Differential" and number <= self.number:
            return "VersionMismatch"
        if payload["updateType"] == "Full":
            self.entries = {}
        for item in payload.get("localAuthorizationList", []):
            if self.version is OcppVersion.V16:
                key, info = item["idTag"], item.get("idTagInfo")
            else:
                key, info = item["idToken"]["idToken"], item.get("idTokenInfo")
            if info is None:
                self.entries.pop(key, None)
            else:
                self.entries[key] = info
        self.number = number
        return "Accepted"


def station_with(version: OcppVersion, messages: list[Message]) -> StationList:
    station = StationList(version)
    for message in messages:
        assert station.apply(message.payload) == "Accepted"
    return station


def numbered(changes: list[tuple[int, bool]], version: int) -> ListSnapshot:
    """Tokens T00, T01, ... changed in the given versions (removed or not)."""
    entries = [
        ListEntry(changed_in, a_token(f"T{i:02d}", local_list=not removed), removed)
        for i, (changed_in, removed) in enumerate(changes)
    ]
    return ListSnapshot(version, entries)


def test_a_full_update_over_the_item_limit_goes_in_messages_by_version() -> None:
    snapshot = numbered([(6, False), (2, False), (4, True), (1, False), (7, False), (3, False), (5, False)], 7)
    messages = update_for(snapshot, OcppVersion.V201, STATION, None, NOW).messages(MessageLimits(items_per_message=2))
    accepted = {"status": "Accepted"}
    assert sent(messages) == [
        (
            2,
            {
                "versionNumber": 2,
                "updateType": "Full",
                "localAuthorizationList": [
                    {"idToken": {"idToken": "T01", "type": "ISO14443"}, "idTokenInfo": accepted},
                    {"idToken": {"idToken": "T03", "type": "ISO14443"}, "idTokenInfo": accepted},
                ],
            },
        ),
        (
            5,
            {
                "versionNumber": 5,
                "updateType": "Differential",
                "localAuthorizationList": [
                    {"idToken": {"idToken": "T05", "type": "ISO14443"}, "idTokenInfo": accepted},
                    {"idToken": {"idToken": "T06", "type": "ISO14443"}, "idTokenInfo": accepted},
                ],
            },
        ),
        (
            7,
            {
                "versionNumber": 7,
                "updateType": "Differential",
                "localAuthorizationList": [
                    {"idToken": {"idToken": "T00", "type": "ISO14443"}, "idTokenInfo": accepted},
                    {"idToken": {"idToken": "T04", "type": "ISO14443"}, "idTokenInfo": accepted},
                ],
            },
        ),
    ]
    for message in messages:
        validate(OcppVersion.V201, "SendLocalList", MessageKind.REQUEST, message.payload)


@pytest.mark.parametrize("seed", range(60))
def test_after_every_message_of_a_split_update_the_station_is_in_step_with_its_version(seed: int) -> None:
    rng = random.Random(seed)
    version = rng.choice(list(OcppVersion))
    count = rng.randint(2, 30)
    list_version = count + rng.randint(0, 10)
    changes = [(c, rng.random() < 0.25) for c in rng.sample(range(1, list_version + 1), count)]
    snapshot = numbered(changes, list_version)
    limits = MessageLimits(
        items_per_message=rng.choice([None, rng.randint(1, 6)]), bytes_per_message=rng.choice([None, 250, 600])
    )
    expected = station_with(version, update_for(snapshot, version, STATION, None, NOW).messages()).entries

    def completed_from(station: StationList) -> dict[str, Any]:
        """The station after a (split) differential update from the version it holds."""
        caught_up = StationList(version, station.number, dict(station.entries))
        if caught_up.number < list_version:
            for message in update_for(snapshot, version, STATION, caught_up.number, NOW).messages(limits):
                assert caught_up.apply(message.payload) == "Accepted"
        return caught_up.entries

    station = StationList(version, number=rng.randint(0, list_version))
    messages = update_for(snapshot, version, STATION, None, NOW).messages(limits)
    numbers = [m.version_number for m in messages]
    assert numbers == sorted(set(numbers)) and numbers[-1] == list_version
    for message in messages:
        assert len(message.payload.get("localAuthorizationList", [])) <= (limits.items_per_message or count)
        assert len(call_frame("0" * 36, "SendLocalList", message.payload)) <= (limits.bytes_per_message or 10**6)
        validate(version, "SendLocalList", MessageKind.REQUEST, message.payload)
        assert station.apply(message.payload) == "Accepted"
        assert completed_from(station) == expected
    assert (station.number, station.entries) == (list_version, expected)


def test_messages_keep_under_the_byte_limit() -> None:
    snapshot = numbered([(i + 1, False) for i in range(12)], 12)
    update = update_for(snapshot, OcppVersion.V16, STATION, None, NOW)
    messages = update.messages(MessageLimits(bytes_per_message=200))
    frames = [call_frame("0" * 36, "SendLocalList", m.payload) for m in messages]
    assert len(messages) > 1 and all(len(frame) <= 200 for frame in frames)
    assert all(len(frame) > 200 - 45 for frame in frames[:-1])  # full up to a last entry (~45 bytes)
    assert station_with(OcppVersion.V16, messages).entries == station_with(OcppVersion.V16, update.messages()).entries


def test_an_entry_over_the_byte_limit_goes_alone() -> None:
    snapshot = numbered([(1, False), (2, False), (3, False)], 3)
    messages = update_for(snapshot, OcppVersion.V16, STATION, None, NOW).messages(MessageLimits(bytes_per_message=10))
    assert [(m.version_number, len(m.payload["localAuthorizationList"])) for m in messages] == [(1, 1), (2, 1), (3, 1)]


def test_entries_of_one_version_are_not_told_apart() -> None:
    # Entries with one version (a change recorded twice after a crash): no version lies between them.
    snapshot = numbered([(2, False), (5, False), (5, False), (5, False), (5, False), (6, False)], 7)
    messages = update_for(snapshot, OcppVersion.V16, STATION, None, NOW).messages(MessageLimits(items_per_message=2))
    assert [(m.version_number, [i["idTag"] for i in m.payload["localAuthorizationList"]]) for m in messages] == [
        (4, ["T00", "T01"]),
        (5, ["T02", "T03", "T04"]),  # over the limit rather than a version that claims too much
        (7, ["T05"]),
    ]


def test_entries_newer_than_the_list_version_go_last_with_it() -> None:
    # Changes recorded while the list was read: their entries may be newer than the version read.
    snapshot = numbered([(1, False), (2, False), (3, False), (9, False), (10, False)], 7)
    messages = update_for(snapshot, OcppVersion.V16, STATION, None, NOW).messages(MessageLimits(items_per_message=4))
    assert [(m.version_number, [i["idTag"] for i in m.payload["localAuthorizationList"]]) for m in messages] == [
        (2, ["T00", "T01"]),  # a message cannot end before an entry newer than the list
        (7, ["T02", "T03", "T04"]),
    ]


def test_a_differential_update_splits_above_the_version_held() -> None:
    snapshot = numbered([(3, False), (4, True), (5, False), (6, False)], 6)
    messages = update_for(snapshot, OcppVersion.V16, STATION, 3, NOW).messages(MessageLimits(items_per_message=1))
    assert [(m.version_number, m.payload["updateType"], m.payload["localAuthorizationList"]) for m in messages] == [
        (4, "Differential", [{"idTag": "T01"}]),
        (5, "Differential", [{"idTag": "T02", "idTagInfo": {"status": "Accepted"}}]),
        (6, "Differential", [{"idTag": "T03", "idTagInfo": {"status": "Accepted"}}]),
    ]
