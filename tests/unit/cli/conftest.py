"""CLI tests: service addresses from a known environment, and the fake client."""

from __future__ import annotations

import pytest

from kit.fakes.cli_client import FakeClient


@pytest.fixture(autouse=True)
def known_addresses(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CSMS_DEVICE_MODEL_ADDRESS", "dm.test:50051")
    monkeypatch.setenv("CSMS_AUTHORIZATION_ADDRESS", "authz.test:50052")
    monkeypatch.setenv("CSMS_TRANSACTIONS_ADDRESS", "tx.test:50053")


@pytest.fixture
def client() -> FakeClient:
    return FakeClient()
