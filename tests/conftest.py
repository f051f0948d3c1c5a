"""Session fixtures shared by every test directory below tests/ (Kafka/Cassandra `infra` is registered in the
root conftest.py)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from csms_kernel.infra.health import READINESS
from csms_kernel.pki.dev import DevPki, ensure_dev_pki


@pytest.fixture(scope="session")
def dev_pki(tmp_path_factory: pytest.TempPathFactory) -> DevPki:
    """A development PKI (root, server, station and internal CAs; csms_kernel.pki.dev) created once per session
    in a temporary directory; tests/kit/pki.py issues station certificates from it."""
    return ensure_dev_pki(tmp_path_factory.mktemp("pki"))


@pytest.fixture(autouse=True)
def _readiness_left_serving() -> Iterator[None]:
    """A component that fails in one test marks the process-wide `READINESS` NOT_SERVING; the next test starts
    from a serving process, as a new process would."""
    yield
    for component in READINESS.failing_components:
        READINESS.ok(component)
