"""2.0.1 NotifyDisplayMessages: the cases of `notify_display_messages_cases` through the 2.0.1 routing table."""

from __future__ import annotations

import pytest

from csms_kernel.ocpp.versions import OcppVersion
from unit.device_model.ocpp.notify_display_messages_cases import (  # noqa: F401 (collected here)
    test_a_bad_date_time_is_a_callerror_without_events,
    test_each_reported_message_in_neutral_form,
    test_the_last_part_without_messages,
)


@pytest.fixture
def version() -> OcppVersion:
    return OcppVersion.V201
