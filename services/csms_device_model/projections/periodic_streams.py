"""The periodic event streams read model (OCPP 2.1, docs/adr/0035): PeriodicStreamOpened/Closed → the station's
stream definitions (`periodic_streams`), PeriodicStreamDataReceived → its values (`periodic_stream_values`, one
partition per station, stream and UTC day, as meter samples) and the stream's last data time. Pure: events →
`Write`s, each USING TIMESTAMP = the event's time, so replays converge. Registered in `projections/device.py`.
"""

from __future__ import annotations

from csms.device_model.v1 import device_model_pb2
from csms_kernel.infra.envelopes import to_datetime
from csms_kernel.projecting.writes import Write, micros

TABLES = ("periodic_streams", "periodic_stream_values")

OPENED = (
    "UPDATE {ks}.periodic_streams USING TIMESTAMP ? SET variable_monitoring_id = ?, interval_s = ?,"
    " values_per_send = ?, state = 'open', opened_at = ?, closed_at = null WHERE station_id = ? AND stream_id = ?"
)
CLOSED = (
    "UPDATE {ks}.periodic_streams USING TIMESTAMP ? SET state = 'closed', closed_at = ?"
    " WHERE station_id = ? AND stream_id = ?"
)
LAST_DATA = "UPDATE {ks}.periodic_streams USING TIMESTAMP ? SET last_data_at = ? WHERE station_id = ? AND stream_id = ?"
VALUE = (
    "INSERT INTO {ks}.periodic_stream_values (station_id, stream_id, day, sampled_at, value)"
    " VALUES (?, ?, ?, ?, ?) USING TIMESTAMP ?"
)


def from_event(event: device_model_pb2.DeviceModelEvent) -> list[Write]:
    at = to_datetime(event.occurred_at)
    station_id, stamp = event.station_id, micros(at)
    which = event.WhichOneof("event")
    if which == "periodic_stream_opened":
        opened = event.periodic_stream_opened
        settings = (opened.variable_monitoring_id, opened.interval_s, opened.values)
        return [Write(OPENED, (stamp, *settings, at, station_id, opened.stream_id))]
    if which == "periodic_stream_closed":
        return [Write(CLOSED, (stamp, at, station_id, event.periodic_stream_closed.stream_id))]
    if which == "periodic_stream_data_received":
        data = event.periodic_stream_data_received
        out = [Write(LAST_DATA, (stamp, at, station_id, data.stream_id))]
        for value in data.values:
            sampled_at = to_datetime(value.sampled_at)
            out.append(Write(VALUE, (station_id, data.stream_id, sampled_at.date(), sampled_at, value.value, stamp)))
        return out
    return []
