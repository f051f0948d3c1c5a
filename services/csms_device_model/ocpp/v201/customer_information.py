"""OCPP 2.0.1 CustomerInformation (CSMS → station), for `customer-information`: the station answers whether it will
report (and/or clear), then sends NotifyCustomerInformation parts with the same requestId. No I/O."""

from __future__ import annotations

from typing import Any

from ocpp.v201 import call, call_result

from csms_device_model.domain.commands import results
from csms_device_model.domain.commands.customer_information import CustomerInformation


def request(command: CustomerInformation) -> call.CustomerInformation:
    return call.CustomerInformation(
        request_id=command.request_id,
        report=command.report,
        clear=command.clear,
        id_token=command.id_token,
        customer_certificate=command.customer_certificate,
        customer_identifier=command.customer_identifier,
    )


def outcome(result: call_result.CustomerInformation, command: CustomerInformation) -> dict[str, Any]:
    return {**results.status(result.status, result.status_info), "request_id": command.request_id}
