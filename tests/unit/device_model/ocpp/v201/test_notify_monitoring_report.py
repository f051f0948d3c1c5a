"""NotifyMonitoringReport (v201): the cases of `notify_monitoring_report_cases` with the v201 handler."""

from __future__ import annotations

import pytest
from ocpp.v201 import call, call_result

from csms_device_model.ocpp.v201 import notify_monitoring_report
from csms_kernel.ocpp.versions import OcppVersion
from unit.device_model.ocpp.actions import Action
from unit.device_model.ocpp.notify_monitoring_report_cases import (  # noqa: F401 (collected here)
    test_a_part_with_its_monitors,
    test_an_empty_last_part,
)


@pytest.fixture
def action() -> Action:
    return Action(OcppVersion.V201, call, call_result, notify_monitoring_report)
