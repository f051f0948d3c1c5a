"""Fixtures of the authorization unit tests: the servicer over in-memory fakes (see kit.builders.authorization_grpc)."""

from __future__ import annotations

import pytest

from csms_authorization.api.grpc_api import AuthorizationServicer
from kit.builders.authorization_grpc import Service


@pytest.fixture
def service() -> Service:
    return Service()


@pytest.fixture
async def servicer(service: Service) -> AuthorizationServicer:
    return service.servicer
