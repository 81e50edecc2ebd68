"""Latency figures shared by the Python-client benchmarks (load.py, remote.py)."""

from __future__ import annotations

import statistics


def summary(latencies: list[float], elapsed: float) -> dict:
    """Throughput and p50/p99 latency of one run."""
    ordered = sorted(latencies)
    return {
        "requests": len(ordered),
        "throughput": len(ordered) / elapsed,
        "p50_ms": 1000 * statistics.median(ordered),
        "p99_ms": 1000 * ordered[min(len(ordered) - 1, int(0.99 * len(ordered)))],
    }


def merge(rounds: list[dict]) -> dict:
    """Several rounds' summaries as one: mean throughput, median p50, worst p99."""
    return {
        "requests": sum(r["requests"] for r in rounds),
        "throughput": statistics.mean(r["throughput"] for r in rounds),
        "p50_ms": statistics.median(r["p50_ms"] for r in rounds),
        "p99_ms": max(r["p99_ms"] for r in rounds),
    }


def line(name: str, r: dict) -> str:
    return f"  {name:<34} {r['throughput']:>9.0f} req/s   p50 {r['p50_ms']:>7.2f} ms   p99 {r['p99_ms']:>7.2f} ms"
