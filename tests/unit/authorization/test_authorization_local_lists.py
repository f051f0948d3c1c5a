"""SendLocalList payloads per version (pure): full and differential, removals, restrictions, length limits."""

from __future__ import annotations

from datetime import timedelta

from authorization.local_list_store import ListEntry, ListSnapshot
from authorization.local_lists import list_version_of, update_for
from authorization.tokens import TokenStatus, TokenType
from csms.runtime.schemas import MessageKind, validate
from csms.runtime.versions import OcppVersion
from unit.authorization.builders import EXPIRES, EXPIRES_ISO, NOW, STATION, a_token

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
    assert update.payload == {
        "listVersion": 7,
        "updateType": "Full",
        "localAuthorizationList": [
            {"idTag": "A-BLOCKED", "idTagInfo": {"status": "Blocked"}},
            {
                "idTag": "B-ACCEPTED",
                "idTagInfo": {"status": "Accepted", "expiryDate": EXPIRES_ISO, "parentIdTag": "FLEET-1"},
            },
            {"idTag": "D-ELSEWHERE", "idTagInfo": {"status": "Invalid"}},
            {"idTag": "E-EXPIRED", "idTagInfo": {"status": "Expired", "expiryDate": "2026-11-21T11:59:59.123Z"}},
        ],
    }
    assert (update.version_number, update.entries, update.skipped) == (7, 4, 1)
    validate(OcppVersion.V16, "SendLocalList", MessageKind.REQUEST, update.payload)


def test_a_differential_201_update_has_the_changes_since_a_version_and_removals() -> None:
    update = update_for(SNAPSHOT, OcppVersion.V201, STATION, 3, NOW)
    assert update.payload == {
        "versionNumber": 7,
        "updateType": "Differential",
        "localAuthorizationList": [
            {"idToken": {"idToken": "A-BLOCKED", "type": "KeyCode"}, "idTokenInfo": {"status": "Blocked"}},
            {"idToken": {"idToken": "C-GONE", "type": "Local"}},
            {"idToken": {"idToken": "D-ELSEWHERE", "type": "ISO14443"}, "idTokenInfo": {"status": "NotAtThisLocation"}},
        ],
    }
    assert (update.entries, update.skipped) == (3, 1)
    validate(OcppVersion.V201, "SendLocalList", MessageKind.REQUEST, update.payload)


def test_21_carries_long_tokens() -> None:
    update = update_for(SNAPSHOT, OcppVersion.V21, STATION, 3, NOW)
    assert update.payload["localAuthorizationList"][3] == {
        "idToken": {"idToken": "F" * 40, "type": "eMAID"},
        "idTokenInfo": {"status": "Accepted"},
    }
    assert (update.entries, update.skipped) == (4, 0)
    validate(OcppVersion.V21, "SendLocalList", MessageKind.REQUEST, update.payload)


def test_an_empty_update_leaves_the_list_out() -> None:
    for version in OcppVersion:
        update = update_for(SNAPSHOT, version, STATION, 7, NOW)
        assert "localAuthorizationList" not in update.payload and update.entries == 0
        validate(version, "SendLocalList", MessageKind.REQUEST, update.payload)
    assert update_for(ListSnapshot(0, []), OcppVersion.V201, STATION, None, NOW).payload == {
        "versionNumber": 0,
        "updateType": "Full",
    }


def test_list_versions_in_answers() -> None:
    assert list_version_of(OcppVersion.V16, {"listVersion": 3}) == 3
    assert list_version_of(OcppVersion.V201, {"versionNumber": 4}) == 4
    assert list_version_of(OcppVersion.V21, {"versionNumber": -1}) == -1
