"""The latency histogram picture of a run (PNG via matplotlib's Figure, no pyplot, no display): one series
per phase, log-spaced bins, p50/p99 marked."""

from __future__ import annotations

from pathlib import Path

from matplotlib.figure import Figure

from loadtest.simulator.stats import PhaseStats, percentile

BINS = 60


def write_histogram(phases: list[PhaseStats], path: Path, title: str) -> None:
    series = [(phase.name, sorted(s * 1000 for s in phase.latencies_s)) for phase in phases if phase.latencies_s]
    figure = Figure(figsize=(9, 5))
    axes = figure.subplots()
    if series:
        low = max(min(values[0] for _, values in series), 0.1)
        high = max(values[-1] for _, values in series)
        step = (max(high, low * 1.01) / low) ** (1 / BINS)
        bins = [low * step**i for i in range(BINS + 1)]
        for (name, values), colour in zip(series, ("tab:blue", "tab:orange", "tab:green", "tab:red"), strict=False):
            p50, p99 = percentile(values, 50), percentile(values, 99)
            axes.hist(values, bins=bins, alpha=0.55, color=colour, label=f"{name} (n={len(values)})")
            axes.axvline(p50, color=colour, linestyle="--", linewidth=1, label=f"{name} p50 {p50:.1f} ms")
            axes.axvline(p99, color=colour, linestyle=":", linewidth=1.5, label=f"{name} p99 {p99:.1f} ms")
        axes.set_xscale("log")
        axes.legend(fontsize=8)
    axes.set_xlabel("CALL → CALLRESULT latency (ms, log scale)")
    axes.set_ylabel("CALLs")
    axes.set_title(title, fontsize=10)
    figure.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, dpi=110)
