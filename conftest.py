"""The one registration of the session fixture `infra` (tests/infra_fixtures.py) for every test directory.

Defined once, it is set up once per test session and torn down last; re-exporting it from several conftests
would make several session fixtures whose first teardown stopped Kafka/Cassandra under the others.
"""

import os

# Tests start service processes (csms_devtools.stack: fork + exec) from a process whose gRPC threads are busy;
# gRPC's fork handlers then ran in a child before its exec and aborted it (epoll_wait: Bad file descriptor,
# SIGABRT). They must be off before grpc is first imported.
os.environ.setdefault("GRPC_ENABLE_FORK_SUPPORT", "false")

pytest_plugins = ["infra_fixtures"]
