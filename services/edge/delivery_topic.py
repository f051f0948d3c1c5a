"""Creates this node's delivery topic at start-up if it is missing (network I/O to the Kafka controller).

Its partitions and retention come from the one declarative place, `deploy/topology.toml`
(`[delivery_topic_defaults]`: 1 partition, 1 h retention), applied by `csms.migrate.ensure_topic`.
Without that file (a packaged deployment) the same defaults are used.
"""

from __future__ import annotations

import logging

from csms import topics
from csms.migrate import TopicSpec, ensure_topic, load_topology

log = logging.getLogger(__name__)

FALLBACK_CONFIG = {"retention.ms": str(3_600_000), "cleanup.policy": "delete"}


def delivery_topic_spec(node_id: str) -> TopicSpec:
    name = topics.delivery(node_id)
    try:
        spec = load_topology().delivery_topic(node_id)
    except FileNotFoundError:
        log.warning("deploy/topology.toml not found; delivery topic %s gets the default config", name)
        return TopicSpec(name, 1, dict(FALLBACK_CONFIG))
    if spec.name != name:
        raise RuntimeError(f"topology names the delivery topic {spec.name!r}, the edge reads {name!r}")
    return spec


async def ensure_delivery_topic(bootstrap: str, node_id: str, *, replication_factor: int) -> str:
    """Creates (or aligns) the delivery topic of `node_id`; returns its name."""
    spec = delivery_topic_spec(node_id)
    await ensure_topic(bootstrap, spec.name, spec.partitions, spec.config, replication_factor=replication_factor)
    return spec.name
