"""`customer-information`: ask the station to report and/or clear what it keeps about a customer, answered by
NotifyCustomerInformation parts (OCPP 2.x CustomerInformation). Params: `request_id` (set from the command id,
`request_ids`), `report` (default true), `clear` (default false; at least one of the two), and exactly one of
`id_token` (`{id_token, type}`, the type in OCPP spelling, e.g. ISO14443), `customer_certificate`
(`{hash_algorithm, issuer_name_hash, issuer_key_hash, serial_number}`) or `customer_identifier` (text). The result:
`{"status", "status_info"?, "request_id"}`; the report is assembled per station and requestId by the device
projection (`GET /api/v1/stations/{id}/customer-information/{request_id}`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from csms_device_model.domain.commands.params import InvalidParams, Params

CUSTOMERS = ("id_token", "customer_certificate", "customer_identifier")
_HASH_FIELDS = ("hash_algorithm", "issuer_name_hash", "issuer_key_hash", "serial_number")


@dataclass(frozen=True)
class CustomerInformation:
    request_id: int
    report: bool
    clear: bool
    id_token: dict[str, str] | None = None
    customer_certificate: dict[str, str] | None = None
    customer_identifier: str | None = None


def parse(raw: Any) -> CustomerInformation:
    params = Params(raw, ("request_id", "report", "clear", *CUSTOMERS))
    request_id = params.integer("request_id", required=True, minimum=0)
    assert request_id is not None
    report = params.boolean("report")
    clear = bool(params.boolean("clear"))
    report = True if report is None else report
    if not report and not clear:
        raise InvalidParams(params.field("report"), "report or clear (or both) must be true")
    given = [name for name in CUSTOMERS if params.has(name)]
    if len(given) != 1:
        raise InvalidParams(params.field("id_token"), f"give exactly one of {', '.join(CUSTOMERS)}")
    return CustomerInformation(
        request_id,
        report,
        clear,
        _fields(params, "id_token", ("id_token", "type")),
        _fields(params, "customer_certificate", _HASH_FIELDS),
        params.text("customer_identifier"),
    )


def _fields(params: Params, name: str, fields: tuple[str, ...]) -> dict[str, str] | None:
    if not params.has(name):
        return None
    inner = Params(params.value(name), fields, params.field(name))
    found = {field: inner.text(field, required=True) for field in fields}
    return {field: value for field, value in found.items() if value is not None}
