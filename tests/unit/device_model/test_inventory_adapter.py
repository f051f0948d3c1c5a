"""The inventory adapter's pure parts: page tokens (only keys this service issued), rows as messages (-1 → no
EVSE), and reports joined from their command rows and parts, newest first."""

from __future__ import annotations

from datetime import datetime

import pytest

from csms_device_model.adapters.inventory import decode_key, encode_key, report_messages, variable_message


def test_a_page_token_is_the_last_key() -> None:
    key = ("EVSE", "", 1, -1, "Power", "L1", "Actual")
    assert decode_key(encode_key(key)) == key


@pytest.mark.parametrize(
    "token",
    ["not base64!", encode_key(("EVSE", "", 1, -1, "Power", "", "Actual"))[:-4], "WzEsMiwzXQ==", "eyJhIjoxfQ=="],
)
def test_forged_page_tokens_are_refused(token: str) -> None:
    with pytest.raises(ValueError, match="invalid page token"):
        decode_key(token)


def test_a_row_without_evse_or_value() -> None:
    row = {
        "component": "SecurityCtrlr",
        "component_instance": "",
        "evse_id": -1,
        "connector_id": -1,
        "variable": "BasicAuthPassword",
        "variable_instance": "",
        "attribute_type": "Actual",
        "mutability": "WriteOnly",
    }
    found = variable_message(row)
    assert not found.HasField("evse_id") and not found.HasField("connector_id") and not found.HasField("value")
    assert not found.HasField("characteristics") and found.mutability == "WriteOnly"


def test_reports_joined_newest_first() -> None:
    asked = {
        "request_id": 1,
        "command_id": "cmd-1",
        "command": "get-base-report",
        "params_json": "{}",
        "requested_at": datetime(2026, 11, 21, 10),
        "answer_status": "accepted",
        "failure": None,
    }
    parts = [
        {"request_id": 1, "seq_no": 1, "tbc": False, "variables": 5, "received_at": datetime(2026, 11, 21, 10, 1)},
        {"request_id": 9, "seq_no": 0, "tbc": True, "variables": 3, "received_at": datetime(2026, 11, 21, 11)},
    ]
    unsolicited, receiving = report_messages([asked], parts)
    assert (unsolicited.request_id, unsolicited.state, unsolicited.variables_received) == (9, "unsolicited", 3)
    assert (receiving.request_id, receiving.state, list(receiving.missing_seq_nos)) == (1, "receiving", [0])
    assert receiving.last_seq_no == 1 and not receiving.complete_parts
