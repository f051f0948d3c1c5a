"""`set-configuration`: change configuration values. Params: `key` and `value`, or `settings`, a list of
`{key, value}`; keys as in `configuration.parse_key`, values strings, numbers or booleans
(`configuration.config_value`). 1.6 sends one ChangeConfiguration per key, 2.x one SetVariables."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from csms_device_model.domain.commands.configuration import ConfigKey, config_value, parse_key
from csms_device_model.domain.commands.params import InvalidParams, Params


@dataclass(frozen=True)
class Setting:
    key: ConfigKey
    value: str


@dataclass(frozen=True)
class SetConfiguration:
    settings: tuple[Setting, ...]


def parse(raw: Any) -> SetConfiguration:
    params = Params(raw, ("key", "value", "settings"))
    listed = params.items("settings")
    if listed is None:
        return SetConfiguration((_setting(params),))
    if params.has("key") or params.has("value"):
        raise InvalidParams(params.field("settings"), "give either key and value or settings, not both")
    if not listed:
        raise InvalidParams(params.field("settings"), "must be a non-empty list")
    return SetConfiguration(
        tuple(
            _setting(Params(item, ("key", "value"), f"{params.field('settings')}[{i}]"))
            for i, item in enumerate(listed)
        )
    )


def _setting(params: Params) -> Setting:
    key = parse_key(params.value("key", required=True), params.field("key"))
    return Setting(key, config_value(params.value("value", required=True), params.field("value")))
