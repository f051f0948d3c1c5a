"""Session fixtures shared by every test directory below tests/ (Kafka/Cassandra `infra` is registered in the
root conftest.py)."""

from __future__ import annotations

import pytest

from csms_kernel.pki.dev import DevPki, ensure_dev_pki


@pytest.fixture(scope="session")
def dev_pki(tmp_path_factory: pytest.TempPathFactory) -> DevPki:
    """A development PKI (root, server, station and internal CAs; csms_kernel.pki.dev) created once per session
    in a temporary directory; tests/kit/pki.py issues station certificates from it."""
    return ensure_dev_pki(tmp_path_factory.mktemp("pki"))
