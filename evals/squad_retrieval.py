"""Retrieval on SQuAD v1.1 dev: the share of questions whose top-k hits include a chunk from the
gold article that contains a gold answer string, for BM25 alone, dense alone and the fused search,
measured in one run over one index.

    python -m evals.squad_retrieval [--squad DIR] [--index DIR] [--sample N] [--out FILE]
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from evals.squad import DEFAULT_SQUAD, SquadQuestion, load_squad
from qa.config import Settings
from qa.index import build_index
from qa.retrieve import Fusion, Mode, Retriever
from qa.types import Hit

KS = (1, 5, 20)
# (label, mode, fusion): every ranker and both fusions, over one index.
VARIANTS: tuple[tuple[str, Mode, Fusion], ...] = (
    ("bm25", "bm25", "convex"),
    ("dense", "dense", "convex"),
    ("hybrid, rrf", "hybrid", "rrf"),
    ("hybrid, convex (default)", "hybrid", "convex"),
)


def is_hit(hit: Hit, question: SquadQuestion) -> bool:
    return hit.source == question.source and any(answer in hit.text for answer in question.answers)


def first_hit_rank(hits: list[Hit], question: SquadQuestion) -> int | None:
    """1-based rank of the first hit that holds an answer in the gold article, or None."""
    return next((rank for rank, hit in enumerate(hits, start=1) if is_hit(hit, question)), None)


def evaluate(
    retriever: Retriever, questions: list[SquadQuestion], ks: tuple[int, ...] = KS
) -> dict[str, dict[str, float]]:
    """For each variant: hit@k for each k, MRR@max(k), and the search time per question in ms."""
    texts = [q.question for q in questions]
    results: dict[str, dict[str, float]] = {}
    for label, mode, fusion in VARIANTS:
        variant = Retriever(retriever.index, retriever.embedder, retriever.settings.with_(fusion=fusion))
        started = time.perf_counter()
        all_hits = variant.search_many(texts, k=max(ks), mode=mode)
        elapsed = time.perf_counter() - started
        ranks = [first_hit_rank(hits, q) for hits, q in zip(all_hits, questions, strict=True)]
        row = {f"hit@{k}": sum(1 for r in ranks if r is not None and r <= k) / len(questions) for k in ks}
        row[f"mrr@{max(ks)}"] = sum(1 / r for r in ranks if r is not None) / len(questions)
        row["ms_per_question"] = 1000 * elapsed / len(questions)
        results[label] = row
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--squad", type=Path, default=DEFAULT_SQUAD, help="folder with dev-v1.1.json and docs/")
    parser.add_argument("--index", type=Path, default=None, help="index folder (default: <cache>/squad-index)")
    parser.add_argument("--sample", type=int, default=None, help="a random sample of N questions")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, default=None, help="write the figures as JSON here")
    args = parser.parse_args(argv)

    settings = Settings.from_env()
    index_dir = args.index or settings.cache_dir / "squad-index"
    report = build_index(args.squad / "docs", index_dir, settings=settings, progress=True)
    print(f"index: {report.summary()}")
    questions = load_squad(args.squad / "dev-v1.1.json", args.sample, args.seed)
    retriever = Retriever.open(index_dir, settings)
    results = evaluate(retriever, questions)
    print(
        f"{len(questions)} questions, {len(retriever.index)} chunks (chunk_size {settings.chunk_size}, "
        f"overlap {settings.chunk_overlap}; convex weights {settings.dense_weight}/{settings.bm25_weight}, "
        f"rrf_k {settings.rrf_k})"
    )
    header = ["search", *next(iter(results.values())).keys()]
    print("| " + " | ".join(header) + " |")
    print("|" + "---|" * len(header))
    for label, row in results.items():
        print(f"| {label} | " + " | ".join(f"{v:.3f}" for v in row.values()) + " |")
    if args.out:
        args.out.write_text(
            json.dumps({"questions": len(questions), "chunks": len(retriever.index), "results": results}, indent=1)
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
