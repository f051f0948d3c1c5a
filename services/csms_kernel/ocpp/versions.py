"""OCPP versions: WebSocket subprotocol names and the `ocpp` package modules (the envelope enum mapping is in
`csms_kernel.infra.envelopes`)."""

from __future__ import annotations

import enum
from types import ModuleType

from ocpp.v16 import call as v16_call
from ocpp.v16 import call_result as v16_call_result
from ocpp.v21 import call as v21_call
from ocpp.v21 import call_result as v21_call_result
from ocpp.v201 import call as v201_call
from ocpp.v201 import call_result as v201_call_result


class OcppVersion(enum.Enum):
    V16 = "ocpp1.6"
    V201 = "ocpp2.0.1"
    V21 = "ocpp2.1"

    @property
    def subprotocol(self) -> str:
        return self.value

    @property
    def schema_dir(self) -> str:
        """Folder name of the version's JSON schemas inside the `ocpp` package."""
        return {OcppVersion.V16: "v16", OcppVersion.V201: "v201", OcppVersion.V21: "v21"}[self]

    @property
    def call_module(self) -> ModuleType:
        return _CALL_MODULES[self][0]

    @property
    def call_result_module(self) -> ModuleType:
        return _CALL_MODULES[self][1]

    @classmethod
    def from_subprotocol(cls, name: str) -> OcppVersion:
        return cls(name)


# Preference order when a station offers several subprotocols: newest first.
SUPPORTED_SUBPROTOCOLS: tuple[str, ...] = (
    OcppVersion.V21.subprotocol,
    OcppVersion.V201.subprotocol,
    OcppVersion.V16.subprotocol,
)

_CALL_MODULES: dict[OcppVersion, tuple[ModuleType, ModuleType]] = {
    OcppVersion.V16: (v16_call, v16_call_result),
    OcppVersion.V201: (v201_call, v201_call_result),
    OcppVersion.V21: (v21_call, v21_call_result),
}
