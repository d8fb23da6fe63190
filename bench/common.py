"""Small helpers shared by the benchmark sections: timing summaries, peak memory, child processes."""

from __future__ import annotations

import json
import math
import os
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent


def percentile(values: Sequence[float], share: float) -> float:
    """The nearest-rank percentile: the smallest value with at least ``share`` of the values at or below it."""
    if not values:
        raise ValueError("percentile of no values")
    ordered = sorted(values)
    rank = math.ceil(round(share * len(ordered), 9))  # round first: 0.95 * 100 is 95.00000000000001
    return ordered[min(max(rank, 1), len(ordered)) - 1]


def latency_ms(call: Callable[[Any], object], inputs: Sequence[Any], warmup: int = 3) -> dict[str, float]:
    """Median and p95 milliseconds of ``call(x)`` over ``inputs``, one at a time, after ``warmup`` calls."""
    for x in inputs[:warmup]:
        call(x)
    times = []
    for x in inputs:
        started = time.perf_counter()
        call(x)
        times.append(1000 * (time.perf_counter() - started))
    return {"median_ms": statistics.median(times), "p95_ms": percentile(times, 0.95), "n": len(times)}


def peak_rss_mb() -> float:
    """The peak resident memory of this process so far, in MB."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_child(module: str, *args: str, timeout: float = 7200, env: dict[str, str] | None = None) -> dict[str, Any]:
    """Runs ``python -m module args`` in a fresh process (so its peak memory is its own), with ``env``
    added to the environment, and returns the JSON object it prints on its last line of standard output."""
    done = subprocess.run(
        [sys.executable, "-m", module, *args],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
        env={**os.environ, **(env or {})},
    )
    if done.returncode != 0:
        raise RuntimeError(f"{module} {' '.join(args)} failed ({done.returncode}):\n{done.stderr[-3000:]}")
    lines = [line for line in done.stdout.splitlines() if line.strip()]
    if not lines:
        raise RuntimeError(f"{module} {' '.join(args)} printed nothing:\n{done.stderr[-3000:]}")
    result: dict[str, Any] = json.loads(lines[-1])
    return result


def emit(result: dict[str, Any]) -> None:
    """A child's answer to ``run_child``: one JSON line, with its peak memory added."""
    print(json.dumps({**result, "peak_rss_mb": peak_rss_mb()}), flush=True)
