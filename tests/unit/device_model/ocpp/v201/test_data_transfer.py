"""2.0.1 DataTransfer from a station: the cases of `data_transfer_cases` through the 2.0.1 routing table."""

from __future__ import annotations

import pytest

from csms_kernel.ocpp.versions import OcppVersion
from unit.device_model.ocpp.data_transfer_cases import (  # noqa: F401 (collected here)
    test_a_handler_answering_what_is_not_json_is_rejected_not_a_crash,
    test_a_rejection_carries_its_reason_code_cut_to_the_schema,
    test_json_data_in_and_out,
    test_the_shipped_ocmf_vendor_rejects_a_malformed_record_with_the_problem_in_the_log,
    test_unknown_vendor_and_unknown_message_as_the_specification_says,
)


@pytest.fixture
def version() -> OcppVersion:
    return OcppVersion.V201
