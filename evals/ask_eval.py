"""Answers the gold questions with ``ask()`` and reports correctness, citations, abstention and
latency, question by question and in total.

    python -m evals.ask_eval [--backend local|openai|extractive] [--questions FILE] [--out FILE]

The seed articles are indexed first (incrementally) into <cache>/seeds-index. Timings are warm
except for the first question, which loads the models.
"""

from __future__ import annotations

import argparse
import json
import statistics
from dataclasses import asdict
from pathlib import Path

from evals.gold import QUESTIONS, SEEDS, Verdict, judge, load_questions
from qa.ask import ask
from qa.config import Settings
from qa.index import build_index
from qa.types import Answer


def summarise(results: list[tuple[bool, Verdict, Answer]]) -> dict[str, float]:
    answerable = [(v, a) for ok, v, a in results if ok]
    unanswerable = [(v, a) for ok, v, a in results if not ok]
    warm = [a for _, _, a in results[1:]] or [a for _, _, a in results]
    answered = [a for a in warm if not a.abstained]
    return {
        "answerable": len(answerable),
        "correct_with_right_file": sum(v.correct and v.cited_right_file for v, _ in answerable) / len(answerable),
        "correct": sum(v.correct for v, _ in answerable) / len(answerable),
        "false_refusals": sum(v.abstained for v, _ in answerable) / len(answerable),
        "unanswerable": len(unanswerable),
        "abstained_on_unanswerable": sum(v.abstained for v, _ in unanswerable) / max(1, len(unanswerable)),
        "markers_valid": sum(v.markers_valid for _, v, _ in results) / len(results),
        "first_token_median_s": statistics.median(a.timings.first_token for a in answered) if answered else 0.0,
        "total_median_s": statistics.median(a.timings.total for a in answered) if answered else 0.0,
        "total_median_all_s": statistics.median(a.timings.total for a in warm),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--backend", choices=["local", "openai", "extractive"], default=None)
    parser.add_argument("--questions", type=Path, default=QUESTIONS)
    parser.add_argument("--corpus", type=Path, default=SEEDS)
    parser.add_argument("--out", type=Path, default=None, help="per-question records and the summary, as JSON")
    args = parser.parse_args(argv)
    settings = Settings.from_env(answer_backend=args.backend, corpus_dir=args.corpus)
    settings = settings.with_(index_dir=settings.cache_dir / f"{args.corpus.name}-index")
    build_index(args.corpus, settings.index_dir, settings=settings)

    results: list[tuple[bool, Verdict, Answer]] = []
    for q in load_questions(args.questions):
        answer = ask(q.question, history=list(q.history), settings=settings)
        verdict = judge(q, answer, args.corpus)
        results.append((q.answerable, verdict, answer))
        mark = "ok  " if verdict.passed else "FAIL"
        why = "; ".join(verdict.reasons)
        print(
            f"{mark} {q.id} {q.kind:12} {answer.timings.total:5.1f}s | {q.question[:60]} | {answer.text[:80]!r} {why}"
        )
    summary = summarise(results)
    print(json.dumps(summary, indent=1))
    if args.out:
        records = [{"verdict": asdict(v), "answer": asdict(a)} for _, v, a in results]
        args.out.write_text(json.dumps({"summary": summary, "records": records}, indent=1, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
