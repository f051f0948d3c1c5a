"""Whether an uploaded image is meant for a station: the image's vendor must be the one the station reported in
its last BootNotification and, when the image names models, the station's model one of them (both compared
without case or surrounding blanks, as stations and operators spell them differently). Pure, no I/O."""

from __future__ import annotations

from csms.device_model.v1 import device_model_pb2
from csms_firmware.artifacts.model import FirmwareImage


def _same(a: str, b: str) -> bool:
    return a.strip().casefold() == b.strip().casefold()


def incompatibility(image: FirmwareImage, station: device_model_pb2.Station) -> str:
    """Why the image does not fit the station ("" when it does)."""
    fits_vendor = _same(image.vendor, station.vendor)
    fits_model = not image.models or any(_same(model, station.model) for model in image.models)
    if fits_vendor and fits_model:
        return ""
    wanted = f"vendor {image.vendor!r}" + (
        f", model {' or '.join(repr(m) for m in image.models)}" if image.models else ""
    )
    return (
        f"image {image.image_id} ({image.version}) is for {wanted}; station {station.station_id} reported vendor "
        f"{station.vendor!r}, model {station.model!r} at its last boot (force to send it anyway)"
    )
