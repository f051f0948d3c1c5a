"""The in-memory `AnsweredCalls` keeps the contract the Cassandra table keeps."""

from __future__ import annotations

import pytest

from kit.contracts.answered_calls import AnsweredCallsContract
from kit.fakes.answered_calls import InMemoryAnsweredCalls


class TestInMemoryAnsweredCalls(AnsweredCallsContract):
    @pytest.fixture
    def answered(self) -> InMemoryAnsweredCalls:
        return InMemoryAnsweredCalls()
