"""OCPP 1.6 GetConfiguration (CSMS → station), asked before a local list update that may need splitting: the
station's SendLocalListMaxLength and LocalAuthListMaxLength. No I/O."""

from __future__ import annotations

from ocpp.v16 import call, call_result

from csms_authorization.domain.local_lists import MessageLimits, positive_limit

ITEMS_PER_MESSAGE_KEY = "SendLocalListMaxLength"
CAPACITY_KEY = "LocalAuthListMaxLength"


def request() -> call.GetConfiguration:
    return call.GetConfiguration(key=[ITEMS_PER_MESSAGE_KEY, CAPACITY_KEY])


def outcome(result: call_result.GetConfiguration) -> MessageLimits:
    """The limits the station reported; a key missing, unknown or not a positive integer: no limit."""
    values = {key.get("key"): key.get("value") for key in result.configuration_key or ()}
    return MessageLimits(
        items_per_message=positive_limit(values.get(ITEMS_PER_MESSAGE_KEY)),
        capacity=positive_limit(values.get(CAPACITY_KEY)),
    )
