"""`clear-cache`: clear the station's authorization cache. No params."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from csms_device_model.domain.commands.params import Params


@dataclass(frozen=True)
class ClearCache:
    pass


def parse(raw: Any) -> ClearCache:
    Params(raw, ())
    return ClearCache()
