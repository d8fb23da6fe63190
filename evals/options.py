"""The options of ``qa eval`` and ``python -m evals.run``, in a module light enough for ``qa``'s
parser to import on every command."""

from __future__ import annotations

import argparse
from pathlib import Path

DESCRIPTION = """Runs gold questions through ask() (or retrieval only) and reports answer accuracy, citation
accuracy, validity, recall and precision, abstention, false refusals, retrieval hit@k and MRR, and
latency per stage, against the stored baseline. Exit code 3 when a gated metric is worse than the
baseline by more than its tolerance; 2 for bad input."""

# The evaluations CI runs with the gate (tests/test_eval_real.py), and `--ci` runs them all:
# retrieval only over every seed question, the extractive answerer over every one, and the local
# model over a seeded sample of 12.
CI_RUNS: tuple[tuple[str, ...], ...] = (
    ("--retrieval-only",),
    ("--backend", "extractive"),
    ("--backend", "local", "--sample", "12", "--seed", "1"),
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    what = parser.add_argument_group("what to evaluate")
    what.add_argument(
        "--questions",
        type=Path,
        help="gold questions: a .jsonl gold file (default evals/questions.jsonl) or a SQuAD-format .json",
    )
    what.add_argument("--corpus", type=Path, help="the article folder (default seeds/; for SQuAD, docs/ beside it)")
    what.add_argument(
        "--squad", action="store_true", help="the SQuAD v1.1 dev set in ../shared/benchmarks (same as --questions)"
    )
    what.add_argument("--sample", type=int, help="a seeded random sample of N of the questions")
    what.add_argument("--seed", type=int, default=0, help="the sample's seed (default 0)")
    what.add_argument("--retrieval-only", action="store_true", help="search only: hit@k, MRR and search latency")
    what.add_argument(
        "--backend",
        choices=["local", "openai", "extractive"],
        help="answer model (default: local, or QA_ANSWER_BACKEND)",
    )
    what.add_argument("--index", type=Path, help="index folder (default: <cache_dir>/eval/<corpus>-<hash>)")
    what.add_argument("--ci", action="store_true", help="run the CI evaluations one after another (see CI_RUNS)")
    out = parser.add_argument_group("output and gate")
    out.add_argument("--out", type=Path, help="report folder (default evals/out/<profile>)")
    out.add_argument("--baseline", type=Path, help="baseline file (default evals/baseline.json)")
    out.add_argument(
        "--update-baseline", action="store_true", help="store this run as the profile's baseline (and do not gate)"
    )
    out.add_argument("--no-latency-gate", action="store_true", help="gate on quality only (timing is noisy)")
    out.add_argument("-q", "--quiet", action="store_true", help="no line per question")
