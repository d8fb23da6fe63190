"""The CI evaluations with the real embedder and models, gated by the stored baseline
(evals/baseline.json), and the gate failing on deliberately worse settings. Latency is not gated
here (timing belongs to benchmarks, not tests); run ``qa eval`` without ``--no-latency-gate`` for that."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from evals.gate import load_baseline
from evals.options import CI_RUNS
from qa.cli import main

pytestmark = pytest.mark.real


def evaluate(out: Path, *argv: str) -> int:
    return main(["eval", *argv, "--out", str(out), "--no-latency-gate", "-q"])


@pytest.mark.parametrize("argv", CI_RUNS, ids=[" ".join(a) for a in CI_RUNS])
def test_the_ci_evaluations_of_the_seeds_hold_the_baseline(
    argv: tuple[str, ...], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = evaluate(tmp_path, *argv)
    out = capsys.readouterr()
    data = json.loads((tmp_path / "records.json").read_text(encoding="utf-8"))
    stored = load_baseline()["profiles"][data["profile"]]  # CI profiles must have a baseline
    assert data["questions_sha256"] == stored["questions_sha256"], "the gold questions changed: update the baseline"
    assert len(data["records"]) == stored["counts"]["questions"]
    assert data["gate"], "nothing was gated"
    assert code == 0, out.out + out.err
    assert "gate: passed: " in out.out


@pytest.mark.parametrize(
    ("variable", "value", "metrics"),
    [
        ("QA_BM25_WEIGHT", "0", ("hit@1", "mrr@5")),  # dense-only retrieval
        ("QA_ANSWER_CHUNKS", "1", ("hit@5",)),  # top-1 context
    ],
)
def test_a_deliberately_worse_setting_fails_the_gate(
    variable: str,
    value: str,
    metrics: tuple[str, ...],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv(variable, value)
    assert evaluate(tmp_path, "--retrieval-only") == 3
    out = capsys.readouterr()
    assert "gate: FAILED" in out.out
    failed = {
        c["metric"] for c in json.loads((tmp_path / "records.json").read_text(encoding="utf-8"))["gate"] if not c["ok"]
    }
    assert set(metrics) <= failed
    report = (tmp_path / "report.md").read_text(encoding="utf-8")
    setting = variable.removeprefix("QA_").lower()
    assert f"- setting `{setting}`: baseline " in report
