from csms.device_model.v1 import device_model_pb2
from csms_device_model.projections import device
from csms_kernel.projecting.writes import Write


def test_each_event_goes_to_the_writer_of_its_kind_and_unregistered_kinds_write_nothing(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    def booted(event: device_model_pb2.DeviceModelEvent) -> list[Write]:
        return [Write("booted", (event.station_id,))]

    monkeypatch.setitem(device.WRITERS, "station_booted", booted)
    events = [
        device_model_pb2.DeviceModelEvent(station_id="CS1", station_booted=device_model_pb2.StationBooted()),
        device_model_pb2.DeviceModelEvent(
            station_id="CS2", connector_status_changed=device_model_pb2.ConnectorStatusChanged()
        ),
        device_model_pb2.DeviceModelEvent(station_id="CS3", station_booted=device_model_pb2.StationBooted()),
    ]
    assert device.writes(events, None) == [Write("booted", ("CS1",)), Write("booted", ("CS3",))]
