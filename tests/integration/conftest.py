"""Integration tests get the session fixture `infra` (real Kafka + Cassandra, migrated); see tests/infra_fixtures.py.

(`pytest_plugins` is not allowed in a non-root conftest, so the fixture is re-exported here.)
"""

from infra_fixtures import Infra, infra

__all__ = ["Infra", "infra"]
