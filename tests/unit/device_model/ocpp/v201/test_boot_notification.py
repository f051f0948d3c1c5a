"""BootNotification (2.0.1): the cases of `boot_notification_cases` with the v201 handler."""

from __future__ import annotations

import pytest
from ocpp.v201 import call, call_result

from csms_device_model.ocpp.v201 import boot_notification
from csms_kernel.ocpp.versions import OcppVersion
from unit.device_model.ocpp.actions import Action
from unit.device_model.ocpp.boot_notification_cases import (  # noqa: F401 (collected here)
    test_a_rejected_station_is_answered_rejected_with_the_retry_interval,
    test_a_station_set_pending_is_answered_pending_with_the_retry_interval,
    test_accepts_and_records_the_boot,
    test_new_stations_get_the_default_policy_and_an_accepted_one_is_accepted,
)


@pytest.fixture
def action() -> Action:
    return Action(OcppVersion.V201, call, call_result, boot_notification)
