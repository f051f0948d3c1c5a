"""Meter value normalisation: units, multipliers, defaults, signed data kept as received."""

from __future__ import annotations

import pytest

from csms_kernel.ocpp.timestamps import parse_ocpp_datetime
from csms_transactions.domain import meter


@pytest.mark.parametrize(
    ("unit", "value", "expected"),
    [
        ("Wh", 5.0, ("Wh", 5.0)),
        ("kWh", 1.5, ("Wh", 1500.0)),
        ("kvarh", 2.0, ("varh", 2000.0)),
        ("kW", 7.4, ("W", 7400.0)),
        ("kVA", 1.0, ("VA", 1000.0)),
        ("kvar", 3.0, ("var", 3000.0)),
        ("Celcius", 21.0, ("Celsius", 21.0)),
        ("Fahrenheit", 212.0, ("Celsius", 100.0)),
        ("K", 273.15, ("Celsius", 0.0)),
        ("Hertz", 50.0, ("Hz", 50.0)),
        ("Percent", 80.0, ("Percent", 80.0)),
    ],
)
def test_units_are_normalised(unit: str, value: float, expected: tuple[str, float]) -> None:
    assert meter.normalise(unit, value) == pytest.approx(expected)


def test_1_6_values_that_are_no_numbers_keep_only_the_raw_text() -> None:
    [sample] = meter.from_v16(
        [{"timestamp": "2026-11-21T10:00:00Z", "sampled_value": [{"value": "n/a", "unit": "kWh"}]}],
        parse_ocpp_datetime,
    )
    assert not sample.HasField("value") and (sample.unit, sample.raw_value, sample.format) == ("kWh", "n/a", "Raw")


def test_the_energy_register_is_the_last_whole_meter_reading_in_wh() -> None:
    samples = meter.from_v2(
        [
            {
                "timestamp": "2026-11-21T10:00:00Z",
                "sampled_value": [
                    {"value": 1.0, "unit_of_measure": {"unit": "kWh"}},
                    {"value": 400.0, "phase": "L1"},
                    {"value": 7.0, "measurand": "Power.Active.Import"},
                ],
            }
        ],
        parse_ocpp_datetime,
    )
    assert meter.energy_register_wh(samples) == 1000.0
    assert meter.energy_register_wh(samples[1:]) is None
