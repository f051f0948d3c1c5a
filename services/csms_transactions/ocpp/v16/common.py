"""What the 1.6 transaction handlers share: the connector → EVSE mapping and the idTagInfo of a decision."""

from __future__ import annotations

from ocpp.v16 import datatypes

from csms_kernel.ocpp.timestamps import ocpp_datetime
from csms_transactions.domain.tokens import Decision


def evse_of(connector_id: int) -> tuple[int, int]:
    """1.6 has no EVSE level: connector N (N > 0) is EVSE N, connector 1 (as device-model records it)."""
    return connector_id, 1 if connector_id > 0 else 0


def id_tag_info(decision: Decision) -> datatypes.IdTagInfo:
    return datatypes.IdTagInfo(
        status=decision.status,
        parent_id_tag=decision.group.id_token if decision.group else None,
        expiry_date=ocpp_datetime(decision.expiry) if decision.expiry else None,
    )
