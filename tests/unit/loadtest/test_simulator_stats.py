"""Percentiles, per-phase summaries and the live progress line."""

from __future__ import annotations

from loadtest.simulator.stats import PhaseStats, ProgressWindow, format_summary, percentile, summarize


def test_percentile_nearest_rank() -> None:
    values = [float(v) for v in range(1, 101)]
    assert [percentile(values, q) for q in (50, 95, 99, 100)] == [50.0, 95.0, 99.0, 100.0]
    assert percentile([], 99) == 0.0
    assert percentile([3.0], 50) == 3.0


def phase() -> PhaseStats:
    stats = PhaseStats("steady", started_s=100.0, stations=2)
    for action, latency in (("Heartbeat", 0.010), ("Heartbeat", 0.030), ("Authorize", None), ("MeterValues", -1)):
        stats.sent(action)
        if latency is None:
            stats.error(action, "NotSupported")
        elif latency < 0:
            stats.timeout(action)
        else:
            stats.result(latency)
    return stats


def test_summary() -> None:
    summary = summarize(phase(), now_s=102.0)
    assert summary.calls == 4
    assert summary.call_rate == 2.0
    assert (summary.results, summary.call_errors, summary.timeouts) == (2, 1, 1)
    assert summary.call_errors_by_kind == {"Authorize:NotSupported": 1}
    assert (summary.p50_ms, summary.p99_ms, summary.max_ms) == (10.0, 30.0, 30.0)
    text = format_summary(summary)
    assert "CALLs         4 (2.0/s) [Authorize 1, Heartbeat 2, MeterValues 1]" in text
    assert "2 CALLRESULT, 1 CALLERROR [Authorize:NotSupported 1], 1 timeouts" in text


def test_progress_line_covers_the_window_since_the_last_line() -> None:
    stats = phase()
    window = ProgressWindow(last_s=100.0)
    first = window.line(stats, 102.0, open_connections=2)
    assert "CALL/s     2.0" in first and "p99   30.0 ms" in first
    stats.sent("Heartbeat")
    stats.result(0.005)
    second = window.line(stats, 103.0, open_connections=2)
    assert "CALL/s     1.0" in second and "p99    5.0 ms" in second
