"""The stored baseline (``evals/baseline.json``) and the gate: which way each metric is better, how
far it may fall, and whether a run fell further.

A profile names what was run (``seeds/local``, ``seeds/retrieval``, ``squad-dev-v1.1-sample300-seed0/local``);
a run is compared only with the baseline of its own profile. Rates may fall by their tolerance in
absolute terms (at least one question's worth of the questions they count, so that one flip on a
small set is not a failure, and 0.03 at least); latencies may grow by their tolerance in relative
terms (1.0: twice the baseline) plus 0.05 s, because the CPU is shared and timing is noisy.
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from evals.metrics import K, Summary

BASELINE = Path(__file__).resolve().parent / "baseline.json"
ABOUT = """Figures of evaluation runs, one entry per profile; `qa eval` fails (exit 3) when a gated metric
(one with a tolerance) is worse than its value here by more than the tolerance, in the direction
`better` says is worse. Latency tolerances are relative (1.0: may double, plus 0.05 s). Rewrite an
entry with `qa eval ... --update-baseline`; tolerances set here by hand are kept."""
Better = Literal["higher", "lower"]

MIN_RATE_TOLERANCE = 0.03
LATENCY_TOLERANCE = 1.0  # relative: may double
LATENCY_SLACK_S = 0.05

# Gated metric -> (which way is better, the count its share is taken of).
RATES: dict[str, tuple[Better, str]] = {
    "answer_accuracy": ("higher", "answerable"),
    "correct_and_cited": ("higher", "answerable"),
    "citation_accuracy": ("higher", "answerable"),
    "citation_validity": ("higher", "questions"),
    "citation_recall": ("higher", "citation_judged"),
    "citation_precision": ("higher", "citation_judged"),
    "abstention_rate": ("higher", "unanswerable"),
    "false_refusal_rate": ("lower", "answerable"),
    "hit@1": ("higher", "answerable"),
    f"hit@{K}": ("higher", "answerable"),
    f"mrr@{K}": ("higher", "answerable"),
}
LATENCIES = (
    "latency_total_median_s",
    "latency_total_p95_s",
    "latency_first_token_median_s",
    "latency_retrieval_median_s",
)


@dataclass(frozen=True, slots=True)
class Check:
    metric: str
    baseline: float
    current: float | None  # None: the run did not measure it (a failure)
    better: Better
    tolerance: float
    relative: bool

    @property
    def limit(self) -> float:
        """The worst value that still passes."""
        if self.relative:
            return self.baseline * (1 + self.tolerance) + LATENCY_SLACK_S
        return self.baseline - self.tolerance if self.better == "higher" else self.baseline + self.tolerance

    @property
    def ok(self) -> bool:
        if self.current is None:
            return False
        # a hair of slack for float noise in rates computed from the same counts
        return self.current >= self.limit - 1e-9 if self.better == "higher" else self.current <= self.limit + 1e-9


def default_tolerance(metric: str, counts: dict[str, int]) -> tuple[Better, float, bool] | None:
    """(better, tolerance, relative) for a gated metric, None for one that is only reported."""
    if metric in RATES:
        better, count = RATES[metric]
        n = counts.get(count, 0)
        return better, round(max(MIN_RATE_TOLERANCE, 1 / n if n else 0.0), 4), False
    if metric in LATENCIES:
        return "lower", LATENCY_TOLERANCE, True
    return None


def load_baseline(path: Path = BASELINE) -> dict[str, Any]:
    if not path.exists():
        return {"profiles": {}}
    try:
        data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise ValueError(f"baseline file {str(path)!r} is not valid JSON: {exc}") from None
    if not isinstance(data.get("profiles"), dict):
        raise ValueError(f'baseline file {str(path)!r} has no "profiles" object')
    return data


def compare(summary: Summary, entry: dict[str, Any], latency: bool = True) -> list[Check]:
    """One check per gated metric of the baseline entry (latencies left out when ``latency`` is False)."""
    checks = []
    for metric, stored in entry["metrics"].items():
        if "tolerance" not in stored or stored["value"] is None:
            continue
        if stored.get("relative") and not latency:
            continue
        checks.append(
            Check(
                metric,
                float(stored["value"]),
                summary.get(metric),
                stored["better"],
                float(stored["tolerance"]),
                bool(stored.get("relative", False)),
            )
        )
    return checks


def baseline_entry(
    summary: Summary,
    counts: dict[str, int],
    previous: dict[str, Any] | None,
    **about: Any,
) -> dict[str, Any]:
    """The baseline entry of a run: every metric's value; for gated ones which way is better and the
    tolerance, kept from the ``previous`` entry where it had one (a hand-set tolerance survives)."""
    old = previous["metrics"] if previous else {}
    metrics: dict[str, dict[str, Any]] = {}
    for metric, value in summary.items():
        row: dict[str, Any] = {"value": None if value is None else round(value, 4)}
        spec = default_tolerance(metric, counts)
        if spec is not None:
            better, tolerance, relative = spec
            tolerance = old.get(metric, {}).get("tolerance", tolerance)
            row |= {"better": better, "tolerance": tolerance} | ({"relative": True} if relative else {})
        metrics[metric] = row
    return {**about, "counts": counts, "metrics": metrics}


def save_profile(path: Path, profile: str, entry: dict[str, Any]) -> None:
    """Stores ``entry`` as the baseline of ``profile``, keeping the other profiles; atomically."""
    data = load_baseline(path)
    data["profiles"][profile] = entry
    data.pop("about", None)
    data = {"about": " ".join(ABOUT.split()), "profiles": dict(sorted(data["profiles"].items()))}
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".baseline-", suffix=".json")
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        out.write(json.dumps(data, indent=1, ensure_ascii=False) + "\n")
    os.replace(tmp, path)
