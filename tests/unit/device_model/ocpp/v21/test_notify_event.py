"""NotifyEvent (v21): the cases of `notify_event_cases` with the v21 handler."""

from __future__ import annotations

import pytest
from ocpp.v21 import call, call_result

from csms_device_model.ocpp.v21 import notify_event
from csms_kernel.ocpp.versions import OcppVersion
from unit.device_model.ocpp.actions import Action
from unit.device_model.ocpp.notify_event_cases import (  # noqa: F401 (collected here)
    test_a_bad_timestamp_is_a_property_constraint_violation_and_emits_nothing,
    test_each_event_data_is_one_event,
)


@pytest.fixture
def action() -> Action:
    return Action(OcppVersion.V21, call, call_result, notify_event)
