"""Ours against the plain llama-index way, side by side in one run on the same questions: ``ask()``
(default settings, the bundled local model) and ``CitationQueryEngine`` (same embedder, same model;
see ``evals.citation_engine_baseline``), each question asked of both, judged by the same rules. A
follow-up is asked as in a chat: its earlier questions first, each side given its own earlier answers.

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
from evals.run import history_of
from qa.ask import ask
from qa.config import Settings
from qa.followup import turn_of
from qa.index import build_index
from qa.types import Turn


def ours(question: GoldQuestion, settings: Settings, turns: dict[tuple[str, ...], Turn]) -> dict[str, Any]:
    def reply(asked: str, history: list[Turn]) -> Turn:
        return turn_of(ask(asked, history=history, settings=settings))

    answer = ask(question.question, history=history_of(question.history, turns, reply), settings=settings)
    verdict = judge(question, answer, SEEDS)
    return {
        "correct": verdict.correct,
        "right_file": verdict.cited_right_file,
        "valid": verdict.markers_valid,
        "abstained": answer.abstained,
        "seconds": answer.timings.total,
        "text": answer.text,
    }


def with_history(question: str, history: list[Turn]) -> str:
    """The engine has no chat: a follow-up is asked with the earlier exchanges written in front."""
    earlier = [f"Earlier question: {t.question} Answer: {t.answer or 'none'}" for t in history]
    return "\n".join([*earlier, f"Question: {question}"]) if earlier else question


def theirs(question: GoldQuestion, engine: Any, turns: dict[tuple[str, ...], Turn]) -> dict[str, Any]:
    def reply(asked: str, history: list[Turn]) -> Turn:
        return Turn(asked, str(engine.query(with_history(asked, history))).strip()[:300])

    asked = with_history(question.question, history_of(question.history, turns, reply))
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
    our_turns: dict[tuple[str, ...], Turn] = {}  # each side's own earlier answers, as a chat user sees them
    their_turns: dict[tuple[str, ...], Turn] = {}
    for q in questions:
        mine, other = ours(q, settings, our_turns), theirs(q, engine, their_turns)
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
