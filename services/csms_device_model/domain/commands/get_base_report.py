"""`get-base-report` (2.x): ask the station for a predefined report of its device model, sent back in NotifyReport
parts with the command's requestId. Params: `report_base` (configuration_inventory, full_inventory,
summary_inventory) and `request_id` (from the command id, `request_ids`; may be given). 1.6 has no such report
(get-configuration reads its keys)."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Any

from csms_device_model.domain.commands.params import Params
from csms_device_model.domain.commands.request_ids import PARAM


class ReportBase(enum.Enum):
    CONFIGURATION_INVENTORY = "configuration_inventory"
    FULL_INVENTORY = "full_inventory"
    SUMMARY_INVENTORY = "summary_inventory"

    @property
    def ocpp(self) -> str:
        """The ReportBaseEnumType value."""
        return "".join(word.capitalize() for word in self.value.split("_"))


@dataclass(frozen=True)
class GetBaseReport:
    request_id: int
    report_base: ReportBase


def parse(raw: Any) -> GetBaseReport:
    params = Params(raw, ("report_base", PARAM))
    report_base = params.choice("report_base", ReportBase, required=True)
    request_id = params.integer(PARAM, required=True, minimum=0)
    assert report_base is not None and request_id is not None
    return GetBaseReport(request_id, report_base)
