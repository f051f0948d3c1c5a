"""A version's station→CSMS action for cases shared by the 2.0.1 and 2.1 tests: its `ocpp` call and call_result
modules and its handler module."""

from __future__ import annotations

from dataclasses import dataclass
from types import ModuleType

from csms_kernel.ocpp.versions import OcppVersion


@dataclass(frozen=True)
class Action:
    version: OcppVersion
    call: ModuleType
    call_result: ModuleType
    module: ModuleType
