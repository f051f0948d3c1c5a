"""How the neutral EVSE/connector numbering reads in OCPP 1.6, which numbers connectors only: connector N is EVSE
N (connector 1 of it), connector 0 the whole charge point, as StatusNotification records them. No I/O."""

from __future__ import annotations

from csms_device_model.domain.commands.params import NotExpressible


def connector_of(evse_id: int | None, connector_id: int | None) -> int:
    """The 1.6 connectorId of EVSE `evse_id` (None: the station) and its connector `connector_id`."""
    if evse_id is None:
        return 0
    if connector_id not in (None, 1):
        raise NotExpressible(
            f"OCPP 1.6 has one connector per EVSE (its connector N is EVSE N, connector 1): "
            f"EVSE {evse_id} has no connector {connector_id}"
        )
    return evse_id
