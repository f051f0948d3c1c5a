"""`OWNERS` and the services' routing tables name the same actions: a route without an owner entry would never
reach its service (the fallback owner would answer NotSupported), an owner entry without a route would answer
NotSupported from the owner."""

from __future__ import annotations

import pytest

from csms_kernel.infra import topics
from csms_kernel.migrate import load_topology
from csms_kernel.ocpp.ownership import (
    DEVICE_MODEL,
    FALLBACK_OWNER,
    OWNERS,
    owner_of,
)
from kit.routing import ROUTED


@pytest.mark.parametrize("service", ROUTED)
def test_every_routed_action_is_owned_by_the_service_that_routes_it(service: str) -> None:
    routed = {action for table in ROUTED[service].values() for action in table}
    assert {action: owner_of(action) for action in routed} == dict.fromkeys(routed, service)


def test_every_owned_action_is_routed_by_its_owner() -> None:
    routed = {action: service for service, tables in ROUTED.items() for table in tables.values() for action in table}
    assert OWNERS == routed


def test_an_action_nobody_routes_goes_to_the_fallback_owner() -> None:
    assert owner_of("DataTransfer") == FALLBACK_OWNER == DEVICE_MODEL


def test_every_owner_has_its_call_topic_in_the_topology() -> None:
    declared = {topic.name for topic in load_topology().topics}
    owners = {*OWNERS.values(), FALLBACK_OWNER}
    assert {topics.calls(owner) for owner in owners} <= declared
    assert {name for name in declared if name.startswith("ocpp.calls.")} == {topics.calls(owner) for owner in owners}
