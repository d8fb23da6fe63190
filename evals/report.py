"""What a run leaves in its output folder: ``records.json`` (every question, in full),
``report.md`` (the gate, the figures against the baseline, failures first) and two plots."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from evals.gate import Check
from evals.metrics import STAGES, Record, Summary, by_kind


@dataclass(frozen=True, slots=True)
class Run:
    """A finished run, as the report shows it."""

    profile: str
    command: str
    corpus: str
    started: str  # ISO time
    seconds: float  # the whole run, index update and model loading included
    settings: dict[str, Any]
    fingerprint: str  # of the questions evaluated (Dataset.fingerprint)
    records: tuple[Record, ...]
    summary: Summary
    counts: dict[str, int]
    checks: tuple[Check, ...]
    baseline: dict[str, Any] | None  # the stored entry of this profile, if any


def record_json(record: Record) -> dict[str, Any]:
    q, a = record.question, record.answer
    out: dict[str, Any] = {
        "id": q.id,
        "kind": q.kind,
        "question": q.question,
        "history": list(q.history),
        "gold_answers": list(q.answers),
        "gold_sources": list(q.sources),
        "passed": record.passed,
        "reasons": list(record.reasons),
        "search_question": record.search_question,
        "gold_rank": record.gold_rank,
        "hits": [asdict(h) for h in record.hits],
        "timings": asdict(record.timings),
    }
    if a is not None:
        out |= {
            "answer": a.text,
            "abstained": a.abstained,
            "abstain_reason": a.reason,
            "draft": a.draft,
            "model": a.model,
            "citations": [asdict(c) for c in a.citations],
        }
    if record.verdict is not None:
        out["verdict"] = {k: v for k, v in asdict(record.verdict).items() if k != "reasons"}
    return out


def check_json(check: Check) -> dict[str, Any]:
    return asdict(check) | {"limit": check.limit, "ok": check.ok}


def write_records(run: Run, path: Path) -> None:
    data = {
        "profile": run.profile,
        "command": run.command,
        "corpus": run.corpus,
        "started": run.started,
        "seconds": round(run.seconds, 1),
        "settings": run.settings,
        "questions_sha256": run.fingerprint,
        "counts": run.counts,
        "summary": run.summary,
        "gate": [check_json(c) for c in run.checks],
        "records": [record_json(r) for r in run.records],
    }
    path.write_text(json.dumps(data, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")


def _fmt(value: float | None, metric: str = "") -> str:
    if value is None:
        return "n/a"
    return f"{value:.2f} s" if metric.endswith("_s") else f"{value:.3f}"


def _cell(text: str, width: int = 120) -> str:
    flat = " ".join(text.split()).replace("|", "\\|")
    return flat if len(flat) <= width else flat[: width - 1] + "\u2026"


def gate_verdict(run: Run) -> str:
    if run.baseline is None:
        return "no baseline for this profile (store one with `--update-baseline`)"
    failed = [c for c in run.checks if not c.ok]
    if failed:
        return f"FAILED: {len(failed)} of {len(run.checks)} checks ({', '.join(c.metric for c in failed)})"
    return f"passed: {len(run.checks)} checks"


def markdown(run: Run, plots: Sequence[str]) -> str:
    base = (run.baseline or {}).get("metrics", {})
    lines = [
        f"# Evaluation: {run.profile}",
        "",
        f"- command: `{run.command}`",
        f"- corpus: `{run.corpus}`; questions: {run.counts['questions']} "
        f"({run.counts['answerable']} answerable, {run.counts['unanswerable']} unanswerable); "
        f"passed {run.counts['passed']}",
        f"- started {run.started}, took {run.seconds:.0f} s (index update and model loading included)",
        f"- gate: **{gate_verdict(run)}**",
    ]
    if run.baseline is not None:
        lines.append(
            f"- baseline: measured {run.baseline.get('measured', '?')} with `{run.baseline.get('command', '?')}`"
        )
        if run.baseline.get("questions_sha256") != run.fingerprint:
            lines.append("- **the baseline was measured over other questions**: the comparison is not like for like")
        changed = {
            k: (v, run.settings.get(k)) for k, v in run.baseline.get("settings", {}).items() if run.settings.get(k) != v
        }
        for key, (old, new) in changed.items():
            lines.append(f"- setting `{key}`: baseline {old!r}, now {new!r}")
    if run.checks:
        lines += [
            "",
            "## Gate",
            "",
            "| metric | better | baseline | now | worst allowed | result |",
            "|---|---|---|---|---|---|",
        ]
        for c in sorted(run.checks, key=lambda c: c.ok):
            lines.append(
                f"| {c.metric} | {c.better} | {_fmt(c.baseline, c.metric)} | {_fmt(c.current, c.metric)} | "
                f"{_fmt(c.limit, c.metric)} | {'ok' if c.ok else '**FAIL**'} |"
            )
    lines += ["", "## Figures", "", "| metric | baseline | now |", "|---|---|---|"]
    for metric, value in run.summary.items():
        lines.append(f"| {metric} | {_fmt(base.get(metric, {}).get('value'), metric)} | {_fmt(value, metric)} |")
    lines += [""] + [f"![{p}]({p})" for p in plots]
    lines += ["", "## By kind of question", "", "| kind | questions | passed |", "|---|---|---|"]
    for kind, (n, share) in sorted(by_kind(run.records).items()):
        lines.append(f"| {kind} | {n} | {share:.0%} |")
    failures = [r for r in run.records if not r.passed]
    lines += ["", f"## Failures ({len(failures)})", ""]
    for r in failures:
        lines += _failure(r)
    passed = [r for r in run.records if r.passed]
    lines += ["", f"## Passed ({len(passed)})", "", "| id | kind | question | answer | gold rank | seconds |"]
    lines.append("|---|---|---|---|---|---|")
    for r in passed:
        text = r.answer.text if r.answer else "(retrieval only)"
        lines.append(
            f"| {r.question.id} | {r.question.kind} | {_cell(r.question.question, 70)} | {_cell(text, 70)} | "
            f"{r.gold_rank or '-'} | {r.timings.total or r.timings.retrieval:.2f} s |"
        )
    return "\n".join(lines) + "\n"


def _failure(r: Record) -> list[str]:
    q = r.question
    out = [f"### {q.id} ({q.kind}): {_cell(q.question, 200)}", ""]
    if q.history:
        out.append(f"- history: {' / '.join(q.history)}")
    if r.search_question != q.question:
        out.append(f"- searched: {_cell(r.search_question, 200)}")
    out.append(f"- why: {'; '.join(r.reasons)}")
    out.append(f"- gold: {', '.join(dict.fromkeys(q.answers)) or '(unanswerable)'} in {', '.join(q.sources) or '-'}")
    out.append(f"- retrieved: {', '.join(f'{h.source}:{h.start}' for h in r.hits)} (gold rank {r.gold_rank or '-'})")
    if r.answer is not None:
        out.append(f"- answer: {_cell(r.answer.text, 300)}")
        if r.answer.draft and r.answer.draft not in r.answer.text:
            out.append(f"- model's draft: {_cell(r.answer.draft, 300)}")
        if r.answer.reason:
            out.append(f"- abstained because: {r.answer.reason}")
        for c in r.answer.citations:
            out.append(f"  - [{c.marker}] {c.source}:{c.start}-{c.end} \u201c{_cell(c.quote, 200)}\u201d")
    return [*out, ""]


def plot_metrics(run: Run, path: Path) -> bool:
    """Rates (0..1) of this run beside the baseline's, as grouped horizontal bars."""
    from matplotlib.figure import Figure

    base = (run.baseline or {}).get("metrics", {})
    names = [m for m, v in run.summary.items() if v is not None and not m.startswith("latency_")]
    if not names:
        return False
    fig = Figure(figsize=(8, 0.45 * len(names) + 1.2))
    ax = fig.add_subplot()
    ys = range(len(names))
    now = [run.summary[m] or 0.0 for m in names]
    then = [base.get(m, {}).get("value") or 0.0 for m in names]
    ax.barh([y + 0.2 for y in ys], then, height=0.4, label="baseline", color="#b0b0b0")
    ax.barh([y - 0.2 for y in ys], now, height=0.4, label="this run", color="#3070b0")
    ax.set_yticks(list(ys), names)
    ax.invert_yaxis()
    ax.set_xlim(0, 1)
    ax.set_title(f"{run.profile}: quality (higher is better, except false_refusal_rate)")
    ax.legend(loc="lower right")
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    return True


def plot_latency(run: Run, path: Path) -> bool:
    """Median and p95 seconds per stage, this run beside the baseline."""
    from matplotlib.figure import Figure

    base = (run.baseline or {}).get("metrics", {})
    stages = [s for s in STAGES if f"latency_{s}_median_s" in run.summary]
    if not stages:
        return False
    fig = Figure(figsize=(9, 4))
    axes = fig.subplots(1, 2)
    for ax, stat in zip(axes, ("median", "p95"), strict=True):
        keys = [f"latency_{s}_{stat}_s" for s in stages]
        xs = range(len(stages))
        ax.bar(
            [x - 0.2 for x in xs],
            [base.get(k, {}).get("value") or 0.0 for k in keys],
            0.4,
            label="baseline",
            color="#b0b0b0",
        )
        ax.bar([x + 0.2 for x in xs], [run.summary[k] or 0.0 for k in keys], 0.4, label="this run", color="#d07030")
        ax.set_xticks(list(xs), stages, rotation=30)
        ax.set_ylabel("seconds")
        ax.set_title(f"{stat} (lower is better)")
    axes[0].legend()
    fig.suptitle(f"{run.profile}: latency per stage")
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    return True


def write_report(run: Run, folder: Path) -> Path:
    """Writes the records, the plots and the Markdown report into ``folder``; returns the report's path."""
    folder.mkdir(parents=True, exist_ok=True)
    write_records(run, folder / "records.json")
    plots = [
        name
        for name, plot in (("metrics.png", plot_metrics), ("latency.png", plot_latency))
        if plot(run, folder / name)
    ]
    report = folder / "report.md"
    report.write_text(markdown(run, plots), encoding="utf-8")
    return report
