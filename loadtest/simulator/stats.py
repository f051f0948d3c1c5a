"""Counters and latencies of a simulator run, per phase, and their summaries (pure; times are passed in).

A CALL ends in exactly one of: CALLRESULT (its latency is recorded), CALLERROR (counted per action and
code) or timeout (counted per action). Connections count successes, failures by reason and unexpected closes.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field


def percentile(sorted_values: list[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100) of an ascending list; 0.0 for an empty one."""
    if not sorted_values:
        return 0.0
    rank = max(1, math.ceil(q / 100 * len(sorted_values)))
    return sorted_values[min(rank, len(sorted_values)) - 1]


@dataclass
class PhaseStats:
    name: str
    started_s: float
    ended_s: float | None = None
    stations: int = 0
    calls: Counter[str] = field(default_factory=Counter)
    results: int = 0
    errors: Counter[str] = field(default_factory=Counter)
    timeouts: Counter[str] = field(default_factory=Counter)
    latencies_s: list[float] = field(default_factory=list)
    connected: int = 0
    connect_failures: Counter[str] = field(default_factory=Counter)
    closed_unexpectedly: int = 0
    boots_accepted: int = 0
    # When the last station of the phase was connected and booted (boot and reconnect storms).
    all_booted_s: float | None = None

    def sent(self, action: str) -> None:
        self.calls[action] += 1

    def result(self, latency_s: float) -> None:
        self.results += 1
        self.latencies_s.append(latency_s)

    def error(self, action: str, code: str) -> None:
        self.errors[f"{action}:{code}"] += 1

    def timeout(self, action: str) -> None:
        self.timeouts[action] += 1


@dataclass(frozen=True)
class Summary:
    phase: str
    stations: int
    duration_s: float
    connected: int
    connect_failures: dict[str, int]
    closed_unexpectedly: int
    boots_accepted: int
    all_booted_after_s: float | None
    calls: int
    calls_by_action: dict[str, int]
    call_rate: float
    results: int
    call_errors: int
    call_errors_by_kind: dict[str, int]
    timeouts: int
    p50_ms: float
    p95_ms: float
    p99_ms: float
    max_ms: float


def summarize(phase: PhaseStats, now_s: float) -> Summary:
    ended = phase.ended_s if phase.ended_s is not None else now_s
    duration = max(ended - phase.started_s, 1e-9)
    latencies = sorted(phase.latencies_s)
    calls = sum(phase.calls.values())
    return Summary(
        phase=phase.name,
        stations=phase.stations,
        duration_s=round(duration, 3),
        connected=phase.connected,
        connect_failures=dict(phase.connect_failures),
        closed_unexpectedly=phase.closed_unexpectedly,
        boots_accepted=phase.boots_accepted,
        all_booted_after_s=None if phase.all_booted_s is None else round(phase.all_booted_s - phase.started_s, 3),
        calls=calls,
        calls_by_action=dict(sorted(phase.calls.items())),
        call_rate=round(calls / duration, 1),
        results=phase.results,
        call_errors=sum(phase.errors.values()),
        call_errors_by_kind=dict(sorted(phase.errors.items())),
        timeouts=sum(phase.timeouts.values()),
        p50_ms=_ms(percentile(latencies, 50)),
        p95_ms=_ms(percentile(latencies, 95)),
        p99_ms=_ms(percentile(latencies, 99)),
        max_ms=_ms(latencies[-1] if latencies else 0.0),
    )


def _ms(seconds: float) -> float:
    return round(seconds * 1000, 2)


def format_summary(summary: Summary) -> str:
    lines = [
        f"phase {summary.phase}: {summary.stations} stations, {summary.duration_s:.1f} s",
        f"  connections   {summary.connected} opened, {sum(summary.connect_failures.values())} failed"
        f"{_kinds(summary.connect_failures)}, {summary.closed_unexpectedly} closed unexpectedly",
    ]
    if summary.all_booted_after_s is not None:
        lines.append(f"  booted        {summary.boots_accepted} accepted, all after {summary.all_booted_after_s:.1f} s")
    elif summary.boots_accepted:
        lines.append(f"  booted        {summary.boots_accepted} accepted")
    lines += [
        f"  CALLs         {summary.calls} ({summary.call_rate:.1f}/s){_kinds(summary.calls_by_action)}",
        f"  answers       {summary.results} CALLRESULT, {summary.call_errors} CALLERROR"
        f"{_kinds(summary.call_errors_by_kind)}, {summary.timeouts} timeouts",
        f"  CALL→CALLRESULT  p50 {summary.p50_ms:.1f} ms  p95 {summary.p95_ms:.1f} ms  "
        f"p99 {summary.p99_ms:.1f} ms  max {summary.max_ms:.1f} ms",
    ]
    return "\n".join(lines)


def _kinds(counts: dict[str, int]) -> str:
    return f" [{', '.join(f'{k} {v}' for k, v in counts.items())}]" if counts else ""


@dataclass
class ProgressWindow:
    """The figures of one live progress line: what happened since the previous line."""

    last_s: float
    last_calls: int = 0
    last_latencies: int = 0

    def line(self, phase: PhaseStats, now_s: float, open_connections: int) -> str:
        calls = sum(phase.calls.values())
        window = sorted(phase.latencies_s[self.last_latencies :])
        rate = (calls - self.last_calls) / max(now_s - self.last_s, 1e-9)
        text = (
            f"[{now_s - phase.started_s:6.1f}s {phase.name}] open {open_connections}  booted {phase.boots_accepted}"
            f"  CALL/s {rate:7.1f}  p50 {_ms(percentile(window, 50)):6.1f} ms  p99 {_ms(percentile(window, 99)):6.1f}"
            f" ms  errors {sum(phase.errors.values())}  timeouts {sum(phase.timeouts.values())}"
        )
        self.last_s, self.last_calls, self.last_latencies = now_s, calls, len(phase.latencies_s)
        return text
