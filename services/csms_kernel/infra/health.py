"""The process's readiness: the components that cannot do their work now (a call runner whose batches keep
failing, a halted projection, an edge node whose frame log or delivery topic is unreachable) and why.

The process's gRPC health service (`csms_kernel.infra.grpc_server`) answers NOT_SERVING while any component is
failing and SERVING again once none is, so probes (Kubernetes, `csms_api` `/readyz`, `make run`) see a
dependency outage instead of a process that looks healthy and answers nothing (security review finding #16).
`READINESS` is the process's instance, as the Prometheus registry is; components take another one in tests.
The metric `csms_component_failing{component}` mirrors it. No I/O.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from csms_kernel.telemetry.metrics import COMPONENT_FAILING

log = logging.getLogger(__name__)

Listener = Callable[[bool], None]


class Readiness:
    def __init__(self) -> None:
        self._failing: dict[str, str] = {}
        self._listeners: list[Listener] = []

    @property
    def serving(self) -> bool:
        return not self._failing

    @property
    def failing_components(self) -> dict[str, str]:
        return dict(self._failing)

    def failing(self, component: str, reason: str) -> None:
        """Marks `component` as unable to work (logged once per change of reason)."""
        if self._failing.get(component) == reason:
            return
        was_serving = self.serving
        self._failing[component] = reason
        COMPONENT_FAILING.labels(component).set(1)
        log.error("%s cannot work: %s; the process reports NOT_SERVING", component, reason)
        if was_serving:
            self._notify()

    def ok(self, component: str) -> None:
        if self._failing.pop(component, None) is None:
            return
        COMPONENT_FAILING.labels(component).set(0)
        log.info("%s works again", component)
        if self.serving:
            self._notify()

    def subscribe(self, listener: Listener) -> Callable[[], None]:
        """Calls `listener(serving)` on every change; returns the unsubscribe function."""
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener)

    def _notify(self) -> None:
        for listener in list(self._listeners):
            listener(self.serving)


READINESS = Readiness()
