"""CPU time and resident memory of a process, from Linux /proc (for benchmarks that measure a server process)."""

from __future__ import annotations

import json
import os
from pathlib import Path

_TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    """User + system CPU time the process has used so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / _TICKS  # utime, stime (fields 14 and 15 of stat(5))


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError(f"no VmRSS for process {pid}")


def load_average() -> str:
    """The machine's load averages (1, 5, 15 min), as printed with benchmark figures."""
    return "load average {:.2f} {:.2f} {:.2f}".format(*os.getloadavg())


def stack_pids(infra_dir: Path) -> dict[str, int]:
    """The processes of the local stack: `csms stack up`'s (run/stack/state.json) plus Kafka and Cassandra
    (run/<name>.pid of deploy/infra.py), those alive only."""
    run = infra_dir / "run"
    state = run / "stack" / "state.json"
    pids: dict[str, int] = json.loads(state.read_text()) if state.exists() else {}
    for name in ("kafka", "cassandra"):
        pid_file = run / f"{name}.pid"
        if pid_file.exists():
            pids[name] = int(pid_file.read_text().strip())
    return {name: pid for name, pid in pids.items() if Path(f"/proc/{pid}").exists()}


class CpuMeter:
    """CPU seconds each process used between `__init__` and `used()`."""

    def __init__(self, pids: dict[str, int]) -> None:
        self._pids = pids
        self._start = {name: cpu_seconds(pid) for name, pid in pids.items()}

    def used(self) -> dict[str, float]:
        return {name: cpu_seconds(pid) - self._start[name] for name, pid in self._pids.items()}
