"""Meter values of every OCPP version normalised to `SampledValue`s (pure; no I/O).

Protocol defaults are applied (measurand Energy.Active.Import.Register, location Outlet, context
Sample.Periodic, unit Wh), the 2.x multiplier and kilo units are folded into the value (kWh → Wh, kW → W,
kvarh → varh, ...), temperatures become Celsius; what the station sent (value, unit, multiplier, 1.6 format,
2.x signedMeterValue) is kept beside the normalised value.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

from ocpp.charge_point import snake_to_camel_case

from csms.transactions.v1 import transactions_pb2
from csms_kernel.infra.envelopes import timestamp

ENERGY_REGISTER = "Energy.Active.Import.Register"

# unit as sent → (normalised unit, conversion of the value)
_UNITS: dict[str, tuple[str, Callable[[float], float]]] = {
    "kWh": ("Wh", lambda v: v * 1000),
    "kvarh": ("varh", lambda v: v * 1000),
    "kVAh": ("VAh", lambda v: v * 1000),
    "kW": ("W", lambda v: v * 1000),
    "kvar": ("var", lambda v: v * 1000),
    "kVA": ("VA", lambda v: v * 1000),
    "Celcius": ("Celsius", lambda v: v),  # the 1.6 schema's spelling
    "Fahrenheit": ("Celsius", lambda v: (v - 32) * 5 / 9),
    "K": ("Celsius", lambda v: v - 273.15),
    "Hertz": ("Hz", lambda v: v),
}

ParseTime = Callable[[str], datetime]


def normalise(unit: str, value: float) -> tuple[str, float]:
    converted_unit, convert = _UNITS.get(unit, (unit, lambda v: v))
    return converted_unit, convert(value)


def from_v16(meter_values: Iterable[Mapping[str, Any]], parse_time: ParseTime) -> list[transactions_pb2.SampledValue]:
    """1.6 meterValue / transactionData entries (snake_case dicts as the `ocpp` dataclasses hold them)."""
    samples = []
    for meter_value in meter_values:
        sampled_at = parse_time(meter_value["timestamp"])
        for sampled in meter_value["sampled_value"]:
            raw_unit = sampled.get("unit", "Wh")
            fmt = sampled.get("format", "Raw")
            sample = _sample(sampled, sampled_at, raw_unit, fmt=fmt, raw_value=sampled["value"])
            number = _number(sampled["value"]) if fmt == "Raw" else None
            _set_value(sample, raw_unit, number)
            samples.append(sample)
    return samples


def from_v2(meter_values: Iterable[Mapping[str, Any]], parse_time: ParseTime) -> list[transactions_pb2.SampledValue]:
    """2.0.1/2.1 meterValue entries (snake_case dicts)."""
    samples = []
    for meter_value in meter_values:
        sampled_at = parse_time(meter_value["timestamp"])
        for sampled in meter_value["sampled_value"]:
            unit_of_measure = sampled.get("unit_of_measure") or {}
            raw_unit = unit_of_measure.get("unit", "Wh")
            multiplier = int(unit_of_measure.get("multiplier", 0))
            value = float(sampled["value"])
            sample = _sample(sampled, sampled_at, raw_unit, raw_value=_number_text(sampled["value"]))
            sample.raw_multiplier = multiplier
            signed = sampled.get("signed_meter_value")
            if signed:
                sample.signed_meter_value_json = json.dumps(snake_to_camel_case(signed), separators=(",", ":"))
            _set_value(sample, raw_unit, value * 10**multiplier)
            samples.append(sample)
    return samples


def is_energy_register(sample: transactions_pb2.SampledValue) -> bool:
    """A whole-meter (no phase) Energy.Active.Import.Register reading in Wh: what energy is computed from."""
    return sample.measurand == ENERGY_REGISTER and not sample.phase and sample.unit == "Wh" and sample.HasField("value")


def energy_register_wh(samples: Sequence[transactions_pb2.SampledValue]) -> float | None:
    """The last energy register reading of `samples`, if any."""
    readings = [sample.value for sample in samples if is_energy_register(sample)]
    return readings[-1] if readings else None


def _sample(
    sampled: Mapping[str, Any], sampled_at: datetime, raw_unit: str, *, raw_value: str, fmt: str = ""
) -> transactions_pb2.SampledValue:
    return transactions_pb2.SampledValue(
        sampled_at=timestamp(sampled_at),
        measurand=sampled.get("measurand") or ENERGY_REGISTER,
        phase=sampled.get("phase") or "",
        location=sampled.get("location") or "Outlet",
        context=sampled.get("context") or "Sample.Periodic",
        raw_value=raw_value,
        raw_unit=raw_unit,
        format=fmt,
    )


def _set_value(sample: transactions_pb2.SampledValue, raw_unit: str, value: float | None) -> None:
    if value is None:
        sample.unit = raw_unit
        return
    sample.unit, sample.value = normalise(raw_unit, value)


def _number(text: str) -> float | None:
    try:
        value = float(text)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def _number_text(value: float | int) -> str:
    return json.dumps(value)
