"""A gRPC servicer context whose `abort` raises `Aborted` with the status code and details. No I/O."""

from __future__ import annotations

from typing import Any, NoReturn

import grpc


class Aborted(Exception):
    def __init__(self, code: grpc.StatusCode, details: str) -> None:
        super().__init__(code, details)
        self.code = code
        self.details = details


class FakeContext:
    async def abort(self, code: grpc.StatusCode, details: str = "") -> NoReturn:
        raise Aborted(code, details)


CONTEXT: Any = FakeContext()
