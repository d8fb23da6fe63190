"""Ours against the plain llama-index way, side by side in one run on the same questions: ``ask()``
(default settings, the bundled local model) and ``CitationQueryEngine`` (same embedder, same model;
see ``evals.citation_engine_baseline``), each question asked of both, judged by the same rules.

    python -m evals.compare [--questions FILE] [--out DIR]

Writes ``DIR/compare.md`` (the table) and ``DIR/compare.json`` (every answer of both).
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from pathlib import Path
from typing import Any

from evals.citation_engine_baseline import build_engine, judge_engine_reply
from evals.gold import QUESTIONS, SEEDS, GoldQuestion, judge, load_questions
from qa.ask import ask
from qa.config import Settings
from qa.index import build_index


def ours(question: GoldQuestion, settings: Settings) -> dict[str, Any]:
    answer = ask(question.question, history=list(question.history), settings=settings)
    verdict = judge(question, answer, SEEDS)
    return {
        "correct": verdict.correct,
        "right_file": verdict.cited_right_file,
        "valid": verdict.markers_valid,
        "abstained": answer.abstained,
        "seconds": answer.timings.total,
        "text": answer.text,
    }


def theirs(question: GoldQuestion, engine: Any) -> dict[str, Any]:
    # The engine has no chat: a follow-up is asked with its earlier questions in front of it.
    asked = " ".join([*question.history, question.question])
    started = time.perf_counter()
    response = engine.query(asked)
    return judge_engine_reply(question, response, time.perf_counter() - started)


def summary(rows: list[dict[str, Any]], questions: list[GoldQuestion]) -> dict[str, float]:
    """The same figures for either side. Citation accuracy: of the answerable questions it answered,
    the share whose citations are all to the right files."""
    pairs = list(zip(questions, rows, strict=True))
    answerable = [r for q, r in pairs if q.answerable]
    answered = [r for r in answerable if not r["abstained"]]
    unanswerable = [r for q, r in pairs if not q.answerable]
    return {
        "correct_with_right_file": sum(r["correct"] and r["right_file"] for r in answerable) / len(answerable),
        "correct": sum(r["correct"] for r in answerable) / len(answerable),
        "citation_accuracy": sum(r["right_file"] for r in answered) / max(1, len(answered)),
        "abstained_on_unanswerable": sum(r["abstained"] for r in unanswerable) / max(1, len(unanswerable)),
        "false_refusals": sum(r["abstained"] for r in answerable) / len(answerable),
        "markers_valid": sum(r["valid"] for r in rows) / len(rows),
        "total_median_s": statistics.median(r["seconds"] for r in rows[1:]),  # warm: the first loads models
    }


def table(ours_summary: dict[str, float], theirs_summary: dict[str, float], questions: list[GoldQuestion]) -> str:
    answerable = sum(q.answerable for q in questions)
    lines = [
        f"{len(questions)} questions ({answerable} answerable, {len(questions) - answerable} not)",
        "",
        "| | ask() | CitationQueryEngine |",
        "|---|---|---|",
    ]
    for key in ours_summary:
        unit = " s" if key.endswith("_s") else ""
        fmt = "{:.2f}" if unit else "{:.1%}"
        lines.append(f"| {key} | {fmt.format(ours_summary[key])}{unit} | {fmt.format(theirs_summary[key])}{unit} |")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--questions", type=Path, default=QUESTIONS)
    parser.add_argument("--out", type=Path, default=Path("evals/out/compare"))
    args = parser.parse_args(argv)
    questions = load_questions(args.questions)
    settings = Settings.from_env(answer_backend="local", corpus_dir=SEEDS)
    settings = settings.with_(index_dir=settings.cache_dir / "seeds-index")
    build_index(SEEDS, settings.index_dir, settings=settings)
    engine = build_engine(settings)
    rows: dict[str, list[dict[str, Any]]] = {"ask": [], "citation_query_engine": []}
    for q in questions:
        mine, other = ours(q, settings), theirs(q, engine)
        rows["ask"].append(mine)
        rows["citation_query_engine"].append(other)
        marks = ["ok  " if r["correct"] and (r["right_file"] or r["abstained"]) else "FAIL" for r in (mine, other)]
        print(f"{q.id} ours {marks[0]} {mine['text'][:60]!r} | theirs {marks[1]} {other['text'][:60]!r}", flush=True)
    summaries = {side: summary(side_rows, questions) for side, side_rows in rows.items()}
    report = table(summaries["ask"], summaries["citation_query_engine"], questions)
    print(report)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "compare.md").write_text(f"`python -m evals.compare --questions {args.questions}`\n\n{report}")
    (args.out / "compare.json").write_text(json.dumps({"summary": summaries, "records": rows}, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
