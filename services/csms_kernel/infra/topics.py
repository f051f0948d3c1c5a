"""Kafka topic names (the partition counts and retention live in csms_kernel/topology.toml)."""

FRAMES = "ocpp.frames.v1"
DEVICE_MODEL_EVENTS = "csms.device_model.events.v1"
TRANSACTIONS_EVENTS = "csms.transactions.events.v1"
AUTHORIZATION_EVENTS = "csms.authorization.events.v1"
FIRMWARE_EVENTS = "csms.firmware.events.v1"
SMART_CHARGING_EVENTS = "csms.smart_charging.events.v1"
FIRMWARE_CAMPAIGNS = "csms.firmware.campaigns.v1"
STATION_CREDENTIALS = "csms.authorization.station_credentials.v1"
DEAD_LETTER = "csms.dead_letter.v1"


def calls(owner: str) -> str:
    """The topic one service reads its CALLs from: the station CALLs it owns (`ocpp.ownership`), each written
    by the edge after the frame log has it."""
    return f"ocpp.calls.{owner}.v1"


def delivery(edge_node_id: str) -> str:
    """The topic one edge node reads: replies to its stations' CALLs and connection controls."""
    return f"ocpp.delivery.{edge_node_id}.v1"
