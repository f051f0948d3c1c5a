"""Nothing a conformant station sends is refused (issue 12, item 6): every station→CSMS action of OCPP 1.6 (with
its security whitepaper) and 2.0.1, enumerated from the `ocpp` package's schemas, has an owner whose routing
table handles it, so no station gets NotSupported for it. 2.1 keeps every 2.0.1 handler and handles its SENDs.

The actions of issues still open are allow-listed below, each with its issue; an allow-listed action that gets
handled fails the test too, so the list only shrinks (docs/adr/0035).
"""

from __future__ import annotations

import pytest

from csms_kernel.ocpp.directions import STATION_ONLY
from csms_kernel.ocpp.ownership import DEVICE_MODEL, owner_of
from csms_kernel.ocpp.schemas import known_actions, known_sends, schema_names
from csms_kernel.ocpp.versions import OcppVersion
from kit.routing import ROUTED

AWAITING: dict[OcppVersion, dict[str, str]] = {}
"""Per version, the station→CSMS actions still refused, each with the issue that brings its handler (none since
issues 13 and 14: every station→CSMS action of 1.6 and 2.0.1 is handled)."""

COVERED = (OcppVersion.V16, OcppVersion.V201)


def station_to_csms(version: OcppVersion) -> frozenset[str]:
    """The version's station→CSMS messages: its schemas' actions (CALLs and SENDs) that only a station sends,
    and DataTransfer, which goes both ways."""
    actions = known_actions(version) | known_sends(version)
    return frozenset(action for action in actions if action in STATION_ONLY[version] or action == "DataTransfer")


def handled(version: OcppVersion, action: str) -> bool:
    """Whether the action's owner routes it on `version` (an unrouted known action is answered NotSupported)."""
    return action in ROUTED[owner_of(action)].get(version, {})


def test_the_direction_table_names_only_actions_the_schemas_define() -> None:
    for version, actions in STATION_ONLY.items():
        assert actions <= schema_names(version), version


def test_the_enumeration_comes_from_the_schemas() -> None:
    assert {"BootNotification", "SignCertificate", "SecurityEventNotification", "LogStatusNotification"} <= (
        station_to_csms(OcppVersion.V16)
    )
    assert {"NotifyReport", "NotifyEvent", "TransactionEvent", "DataTransfer"} <= station_to_csms(OcppVersion.V201)
    assert "NotifyPeriodicEventStream" in station_to_csms(OcppVersion.V21)
    assert "Reset" not in station_to_csms(OcppVersion.V201)


@pytest.mark.parametrize("version", COVERED, ids=lambda version: version.subprotocol)
def test_every_station_action_has_an_owner_that_handles_it(version: OcppVersion) -> None:
    refused = sorted(
        action
        for action in station_to_csms(version)
        if not handled(version, action) and action not in AWAITING.get(version, {})
    )
    assert refused == [], f"{version.subprotocol}: station→CSMS actions answered NotSupported: {refused}"


@pytest.mark.parametrize("version", COVERED, ids=lambda version: version.subprotocol)
def test_the_allow_list_names_only_refused_station_actions(version: OcppVersion) -> None:
    awaiting = AWAITING.get(version, {})
    assert set(awaiting) <= station_to_csms(version)
    now_handled = sorted(action for action in awaiting if handled(version, action))
    assert now_handled == [], f"{version.subprotocol}: handled now, remove from AWAITING: {now_handled}"


def test_2_1_keeps_every_2_0_1_handler() -> None:
    for service, tables in ROUTED.items():
        lost = sorted(set(tables.get(OcppVersion.V201, {})) - set(tables.get(OcppVersion.V21, {})))
        assert lost == [], f"{service}: 2.0.1 actions without a 2.1 handler: {lost}"


def test_2_1_handles_its_periodic_event_streams() -> None:
    for action in ("NotifyPeriodicEventStream", "OpenPeriodicEventStream", "ClosePeriodicEventStream"):
        assert handled(OcppVersion.V21, action), action
        assert owner_of(action) == DEVICE_MODEL
