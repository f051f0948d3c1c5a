"""The customer information read model (`customer_information_parts`): each NotifyCustomerInformation part by
(station, requestId, seqNo), so a repeated part overwrites itself and parts may come in any order; the report is
assembled when read (`domain.parts`). Written USING TIMESTAMP = when the CSMS received the part. Pure; no I/O.
"""

from __future__ import annotations

from csms.device_model.v1 import device_model_pb2
from csms_kernel.infra.envelopes import to_datetime
from csms_kernel.projecting.writes import Write, micros

TABLES = ("customer_information_parts",)

PART = (
    "UPDATE {ks}.customer_information_parts USING TIMESTAMP ? SET tbc = ?, data = ?, generated_at = ?,"
    " received_at = ? WHERE station_id = ? AND request_id = ? AND seq_no = ?"
)


def from_event(event: device_model_pb2.DeviceModelEvent) -> list[Write]:
    part = event.customer_information_part_received
    at = to_datetime(event.occurred_at)
    key = (event.station_id, part.request_id, part.seq_no)
    return [Write(PART, (micros(at), part.tbc, part.data, to_datetime(part.generated_at), at, *key))]
