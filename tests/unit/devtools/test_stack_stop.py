"""`Stack.stop`: the edge nodes are signalled and gone before any service is signalled, and the processes of each
group are signalled together before any of them is waited for; one that outlives the timeout is killed (fake
processes: nothing is started)."""

from __future__ import annotations

import signal
import subprocess
from typing import Any, cast

from csms_devtools.stack import Stack, StackConfig

CONFIG = StackConfig(
    device_model_ports=(7001, 7002),
    authorization_ports=(7011,),
    transactions_ports=(7021,),
    security_ports=(7031,),
    firmware_ports=(7041,),
    smart_charging_ports=(7051,),
    edge_ports=(8001, 8002),
    edge_grpc_ports=(8011, 8012),
    instance_prefix="t-",
)


class FakeProcess:
    def __init__(self, name: str, journal: list[tuple[str, str]], stubborn: bool = False) -> None:
        self.name, self.journal, self.stubborn = name, journal, stubborn
        self.returncode: int | None = None

    def poll(self) -> int | None:
        return self.returncode

    def send_signal(self, sig: int) -> None:
        self.journal.append(("signal", self.name))
        if not self.stubborn:
            self.returncode = -sig

    def wait(self, timeout: float | None = None) -> int:
        self.journal.append(("wait", self.name))
        if self.returncode is None:
            raise subprocess.TimeoutExpired(self.name, timeout or 0.0)
        return self.returncode

    def kill(self) -> None:
        self.journal.append(("kill", self.name))
        self.returncode = -signal.SIGKILL


def stack_of_fakes(journal: list[tuple[str, str]], stubborn: str = "") -> Stack:
    stack = Stack(CONFIG)
    fakes: dict[str, Any] = {spec.name: FakeProcess(spec.name, journal, spec.name == stubborn) for spec in stack.specs}
    stack.processes = cast(dict[str, "subprocess.Popen[bytes]"], fakes)
    return stack


def test_edges_stop_first_then_every_service_is_signalled_before_any_is_waited_for() -> None:
    journal: list[tuple[str, str]] = []
    stack = stack_of_fakes(journal)
    edges = ["t-edge-1", "t-edge-2"]
    services = [spec.name for spec in stack.specs if spec.service != "edge"]

    stack.stop()

    assert journal == (
        [("signal", name) for name in edges]
        + [("wait", name) for name in edges]
        + [("signal", name) for name in services]
        + [("wait", name) for name in services]
    )
    assert stack.processes == {}


def test_a_process_that_outlives_the_timeout_is_killed_and_the_others_are_waited_for() -> None:
    journal: list[tuple[str, str]] = []
    stack = stack_of_fakes(journal, stubborn="device-model-1")

    stack.stop()

    assert [action for action, name in journal if name == "device-model-1"] == ["signal", "wait", "kill", "wait"]
    assert {name for action, name in journal if action == "wait"} == {spec.name for spec in stack.specs}
    assert stack.processes == {}
