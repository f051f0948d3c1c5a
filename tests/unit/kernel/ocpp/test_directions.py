"""The direction table: every station-only action exists in its version, and what the CSMS may send."""

from __future__ import annotations

import pytest

from csms_kernel.ocpp.directions import STATION_ONLY, csms_may_send
from csms_kernel.ocpp.schemas import action_exists, known_sends
from csms_kernel.ocpp.versions import OcppVersion


@pytest.mark.parametrize("version", list(OcppVersion))
def test_every_station_only_action_is_an_action_of_its_version(version: OcppVersion) -> None:
    messages = {action for action in STATION_ONLY[version] if action_exists(version, action)} | known_sends(version)
    assert sorted(STATION_ONLY[version] - messages) == []


def test_a_send_is_no_action_the_csms_may_send() -> None:
    assert not csms_may_send(OcppVersion.V21, "NotifyPeriodicEventStream")


@pytest.mark.parametrize(
    ("version", "action", "may_send"),
    [
        (OcppVersion.V16, "Reset", True),
        (OcppVersion.V16, "DataTransfer", True),
        (OcppVersion.V16, "BootNotification", False),
        (OcppVersion.V16, "StartTransaction", False),
        (OcppVersion.V16, "GetVariables", False),  # not a 1.6 action
        (OcppVersion.V201, "GetVariables", True),
        (OcppVersion.V201, "TransactionEvent", False),
        (OcppVersion.V201, "NotifyReport", False),
        (OcppVersion.V21, "SetDERControl", True),
        (OcppVersion.V21, "NotifyDERAlarm", False),
        (OcppVersion.V21, "Nope", False),
    ],
)
def test_what_the_csms_may_send(version: OcppVersion, action: str, may_send: bool) -> None:
    assert csms_may_send(version, action) is may_send
