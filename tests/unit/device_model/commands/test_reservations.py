"""`reserve-now` and `cancel-reservation` in every version: 1.6 connector N (0: the whole station) with idTag and
parentIdTag; 2.x EVSE (none: the whole station), connector type, IdToken and groupIdToken."""

from __future__ import annotations

from typing import Any

import pytest

from csms_device_model.domain.commands.params import InvalidParams, NotExpressible
from csms_device_model.ocpp.commands import translate
from csms_kernel.ocpp.versions import OcppVersion

V16, V201, V21 = OcppVersion.V16, OcppVersion.V201, OcppVersion.V21
RESERVE = {
    "reservation_id": 7,
    "expires_at": "2026-12-06T16:00:00+01:00",
    "id_token": "TAG-1",
    "group_id_token": "FLEET",
    "evse_id": 2,
}
EXPIRY = "2026-12-06T15:00:00.000Z"


def sent(command: str, version: OcppVersion, params: dict[str, Any]) -> list[dict[str, Any]]:
    return [c.as_json() for c in translate(command, version, params).calls]


def test_16_reserves_connector_n_for_an_id_tag() -> None:
    assert sent("reserve-now", V16, RESERVE) == [
        {
            "action": "ReserveNow",
            "payload": {
                "connectorId": 2,
                "expiryDate": EXPIRY,
                "idTag": "TAG-1",
                "reservationId": 7,
                "parentIdTag": "FLEET",
            },
        }
    ]


def test_16_reserves_the_whole_station_as_connector_0() -> None:
    params = {"reservation_id": 1, "expires_at": EXPIRY, "id_token": "TAG-1"}
    [call] = sent("reserve-now", V16, params)
    assert call["payload"] == {"connectorId": 0, "expiryDate": EXPIRY, "idTag": "TAG-1", "reservationId": 1}


@pytest.mark.parametrize("version", [V201, V21])
def test_2x_reserves_an_evse_for_an_id_token_and_its_group(version: OcppVersion) -> None:
    params = {**RESERVE, "token_type": "ISO14443"}
    assert sent("reserve-now", version, params) == [
        {
            "action": "ReserveNow",
            "payload": {
                "id": 7,
                "expiryDateTime": EXPIRY,
                "idToken": {"idToken": "TAG-1", "type": "ISO14443"},
                "evseId": 2,
                "groupIdToken": {"idToken": "FLEET", "type": "Central"},
            },
        }
    ]


@pytest.mark.parametrize("version", [V201, V21])
def test_2x_reserves_a_connector_type_anywhere_on_the_station(version: OcppVersion) -> None:
    params = {"reservation_id": 3, "expires_at": EXPIRY, "id_token": "TAG-1", "connector_type": "cType2"}
    [call] = sent("reserve-now", version, params)
    assert call["payload"] == {
        "id": 3,
        "expiryDateTime": EXPIRY,
        "idToken": {"idToken": "TAG-1", "type": "Central"},
        "connectorType": "cType2",
    }


def test_16_cannot_reserve_a_connector_type() -> None:
    with pytest.raises(NotExpressible, match="leave connector_type out"):
        translate("reserve-now", V16, {**RESERVE, "connector_type": "cType2"})


@pytest.mark.parametrize(
    ("version", "payload"),
    [(V16, {"reservationId": 7}), (V201, {"reservationId": 7}), (V21, {"reservationId": 7})],
)
def test_cancel_reservation_names_the_reservation(version: OcppVersion, payload: dict[str, Any]) -> None:
    assert sent("cancel-reservation", version, {"reservation_id": 7}) == [
        {"action": "CancelReservation", "payload": payload}
    ]


@pytest.mark.parametrize(
    ("version", "status", "neutral"),
    [
        (V16, "Accepted", "accepted"),
        (V16, "Occupied", "occupied"),
        (V16, "Faulted", "faulted"),
        (V201, "Unavailable", "unavailable"),
        (V21, "Rejected", "rejected"),
    ],
)
def test_the_reserve_answer_reads_as_one_result(version: OcppVersion, status: str, neutral: str) -> None:
    assert translate("reserve-now", version, RESERVE).read([{"status": status}]) == {"status": neutral}


def test_a_2x_status_info_is_kept() -> None:
    answer = {"status": "Rejected", "statusInfo": {"reasonCode": "UnknownId"}}
    assert translate("cancel-reservation", V201, {"reservation_id": 7}).read([answer]) == {
        "status": "rejected",
        "status_info": {"reason_code": "UnknownId"},
    }


@pytest.mark.parametrize(
    ("command", "params", "message"),
    [
        ("reserve-now", {"expires_at": EXPIRY, "id_token": "T"}, "params.reservation_id: is required"),
        ("reserve-now", {"reservation_id": 1, "id_token": "T"}, "params.expires_at: is required"),
        ("reserve-now", {"reservation_id": 1, "expires_at": "tomorrow", "id_token": "T"}, "RFC 3339"),
        ("reserve-now", {"reservation_id": 1, "expires_at": EXPIRY}, "params.id_token: is required"),
        ("reserve-now", {**RESERVE, "evse_id": -1}, "params.evse_id: must be at least 0"),
        ("reserve-now", {**RESERVE, "connector_id": 1}, "params.connector_id: unknown parameter"),
        ("cancel-reservation", {}, "params.reservation_id: is required"),
        ("cancel-reservation", {"reservation_id": "7"}, "params.reservation_id: must be an integer"),
    ],
)
def test_invalid_params_name_the_field(command: str, params: dict[str, Any], message: str) -> None:
    with pytest.raises(InvalidParams, match=message):
        translate(command, V21, params)
