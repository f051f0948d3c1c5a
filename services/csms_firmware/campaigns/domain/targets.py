"""Which stations a campaign targets: the explicit list, then (when any filter is given) every known station
matching all of vendor, model and current firmware version, each once, in that order. Pure, no I/O."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from csms.device_model.v1 import device_model_pb2


def targeted(
    explicit: Sequence[str],
    known: Iterable[device_model_pb2.Station],
    *,
    vendor: str = "",
    model: str = "",
    current_version: str = "",
) -> tuple[str, ...]:
    chosen = dict.fromkeys(explicit)
    if vendor or model or current_version:
        for station in known:
            if (
                (not vendor or station.vendor == vendor)
                and (not model or station.model == model)
                and (not current_version or station.firmware_version == current_version)
            ):
                chosen.setdefault(station.station_id)
    return tuple(chosen)


def has_filters(vendor: str, model: str, current_version: str) -> bool:
    return bool(vendor or model or current_version)
