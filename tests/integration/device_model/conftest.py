"""device-model integration tests use the real Kafka and Cassandra (`infra`)."""

from infra_fixtures import Infra, infra

__all__ = ["Infra", "infra"]
