"""`get-configuration`: read configuration values. Params: optional `keys` (a list; each a 1.6 key, a 2.x
`Component.Variable` or an object, `configuration.parse_key`). Without keys: 1.6 every key the station has; 2.x
every variable of the standard 1.6 ↔ 2.x mapping (a 2.x station reports its whole device model only through
NotifyReport, which this command does not collect)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from csms_device_model.domain.commands.configuration import STANDARD_KEYS, ConfigKey, parse_key
from csms_device_model.domain.commands.params import Params


@dataclass(frozen=True)
class GetConfiguration:
    keys: tuple[ConfigKey, ...] = ()  # empty: all


def parse(raw: Any) -> GetConfiguration:
    params = Params(raw, ("keys",))
    keys = params.items("keys") or []
    return GetConfiguration(tuple(parse_key(key, f"{params.field('keys')}[{i}]") for i, key in enumerate(keys)))


def standard_keys() -> tuple[ConfigKey, ...]:
    """What a 2.x station is asked when no keys are given: every standard key, labelled by its 1.6 name."""
    return tuple(ConfigKey(key, key, variable) for key, variable in STANDARD_KEYS.items())
