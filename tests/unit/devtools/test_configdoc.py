"""The committed configuration reference matches the settings classes (run `make config-doc` when this fails)."""

from __future__ import annotations

from csms_devtools import configdoc


def test_configuration_reference_is_fresh() -> None:
    committed = configdoc.OUTPUT.read_text(encoding="utf-8")
    assert committed == configdoc.render(), "docs/configuration.md is stale, run `make config-doc`"


def test_every_setting_has_a_description() -> None:
    undocumented = [
        f"{settings.__name__}.{name}"
        for _, _, settings in configdoc.PROCESSES
        for name, field in settings.model_fields.items()
        if not field.description
    ]
    assert undocumented == []
