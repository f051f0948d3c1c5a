"""api unit tests: the service wired by `build()` over in-memory fakes (kit/builders/api.py)."""

from __future__ import annotations

import pytest

from kit.builders.api import Api


@pytest.fixture
def api() -> Api:
    return Api()
