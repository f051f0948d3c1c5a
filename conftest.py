"""The one registration of the session fixture `infra` (tests/infra_fixtures.py) for every test directory.

Defined once, it is set up once per test session and torn down last; re-exporting it from several conftests
would make several session fixtures whose first teardown stopped Kafka/Cassandra under the others.
"""

pytest_plugins = ["infra_fixtures"]
