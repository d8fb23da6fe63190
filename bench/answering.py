"""Answering time per stage on the seed questions (evals/questions.jsonl over seeds/), each side in
its own process, so its peak memory is that of a running assistant:

    python -m bench.answering ours N [--backend local|extractive]
    python -m bench.answering reference N

``ours`` indexes the seed articles into a temporary folder, then calls ``qa.ask.ask`` on the first N
questions (one warm-up question first, which loads the model) and reports ``Answer.timings``.
``reference`` builds llama-index's ``CitationQueryEngine`` as ``evals.citation_engine_baseline``
does, with streaming on, and times the retrieval, the first token and the whole answer.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from dataclasses import asdict
from pathlib import Path
from typing import Any

from bench.common import emit
from evals.gold import QUESTIONS, SEEDS, load_questions

STAGES = ("rewrite", "retrieval", "prompt", "first_token", "generation", "total")


def questions(n: int) -> list[str]:
    return [q.question for q in load_questions(QUESTIONS)[: n + 1]]  # the first one warms up


def medians(rows: list[dict[str, float]]) -> dict[str, float]:
    return {key: statistics.median(row[key] for row in rows) for key in rows[0]} if rows else {}


def ours(n: int, backend: str) -> dict[str, Any]:
    from qa.ask import ask
    from qa.config import Settings
    from qa.index import build_index

    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings.from_env(corpus_dir=SEEDS, index_dir=Path(tmp) / "index", answer_backend=backend)
        started = time.perf_counter()
        build_index(SEEDS, settings.index_dir, settings=settings)
        indexed = time.perf_counter()
        asked = questions(n)
        warm = ask(asked[0], index_dir=settings.index_dir, settings=settings)
        rows = [asdict(ask(q, index_dir=settings.index_dir, settings=settings).timings) for q in asked[1:]]
    return {
        "index_s": indexed - started,
        "warmup_total_s": warm.timings.total,
        "questions": len(rows),
        "median": medians(rows),
        "rows": rows,
    }


def reference(n: int) -> dict[str, Any]:
    from llama_index.core import QueryBundle

    from evals.citation_engine_baseline import build_engine
    from qa.config import Settings

    started = time.perf_counter()
    engine = build_engine(Settings.from_env())
    engine._response_synthesizer._streaming = True  # from_args has no way to pass it through build_engine
    built = time.perf_counter()
    rows = []
    for i, question in enumerate(questions(n)):
        began = time.perf_counter()
        nodes = engine.retrieve(QueryBundle(question))
        retrieved = time.perf_counter()
        response = engine.synthesize(QueryBundle(question), nodes)
        first = 0.0
        for _token in response.response_gen:
            first = first or time.perf_counter()
        done = time.perf_counter()
        if i:  # the first one warms up
            rows.append(
                {
                    "retrieval": retrieved - began,
                    "first_token": (first or done) - began,
                    "generation": done - (first or done),
                    "total": done - began,
                }
            )
    return {"index_s": built - started, "questions": len(rows), "median": medians(rows), "rows": rows}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("who", choices=["ours", "reference"])
    parser.add_argument("n", type=int)
    parser.add_argument("--backend", default="local", choices=["local", "extractive"])
    args = parser.parse_args(argv)
    emit(ours(args.n, args.backend) if args.who == "ours" else reference(args.n))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
