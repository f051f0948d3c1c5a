"""Creates this node's delivery topic at start-up if it is missing (network I/O to the Kafka controller).

Its partitions and retention come from the topology packaged with the kernel (`[delivery_topic_defaults]`:
1 partition, 1 h retention), applied by `csms_kernel.migrate.ensure_topic`.
"""

from __future__ import annotations

from csms_kernel.infra import topics
from csms_kernel.infra.client_security import KafkaSecurity
from csms_kernel.migrate import TopicSpec, ensure_topic, load_topology


def delivery_topic_spec(node_id: str) -> TopicSpec:
    spec = load_topology().delivery_topic(node_id)
    if spec.name != topics.delivery(node_id):
        raise RuntimeError(
            f"topology names the delivery topic {spec.name!r}, the edge reads {topics.delivery(node_id)!r}"
        )
    return spec


async def ensure_delivery_topic(
    bootstrap: str, node_id: str, *, replication_factor: int, security: KafkaSecurity
) -> str:
    """Creates (or aligns) the delivery topic of `node_id`; returns its name."""
    spec = delivery_topic_spec(node_id)
    await ensure_topic(
        bootstrap, spec.name, spec.partitions, spec.config, replication_factor=replication_factor, security=security
    )
    return spec.name
