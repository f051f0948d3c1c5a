"""`clear-cache` in every version: no parameters, ClearCache, its status."""

from __future__ import annotations

import pytest

from csms_device_model.domain.commands.params import InvalidParams
from csms_device_model.ocpp.commands import translate
from csms_kernel.ocpp.versions import OcppVersion


@pytest.mark.parametrize("version", list(OcppVersion))
def test_clear_cache(version: OcppVersion) -> None:
    plan = translate("clear-cache", version, {})
    assert [c.as_json() for c in plan.calls] == [{"action": "ClearCache", "payload": {}}]
    assert plan.read([{"status": "Rejected"}]) == {"status": "rejected"}


def test_it_takes_no_params() -> None:
    with pytest.raises(InvalidParams, match=r"params.all: unknown parameter \(this command takes: none\)"):
        translate("clear-cache", OcppVersion.V16, {"all": True})
