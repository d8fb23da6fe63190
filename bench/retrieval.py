"""Search latency on a real index, question by question, in its own process:

    python -m bench.retrieval ours INDEX SQUAD_JSON N        # qa's Retriever.search, hybrid, k=5
    python -m bench.retrieval reference PERSIST SQUAD_JSON N # llama-index's retriever, k=5

Both embed the question, search and return the chunks' text; ours also runs BM25 and fuses.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from bench.common import emit, latency_ms
from evals.squad import load_squad

K = 5


def run(who: str, index: Path, squad_json: Path, n: int) -> dict[str, Any]:
    questions = [q.question for q in load_squad(squad_json, n, seed=1)]
    if who == "ours":
        from qa.config import Settings
        from qa.retrieve import get_retriever

        retriever = get_retriever(index, Settings.from_env(index_dir=index))
        timing = latency_ms(lambda q: retriever.search(q, k=K), questions)
        dense = latency_ms(lambda q: retriever.search(q, k=K, mode="dense"), questions)
        sparse = latency_ms(lambda q: retriever.search(q, k=K, mode="bm25"), questions)
        return {"hybrid": timing, "dense": dense, "bm25": sparse, "chunks": len(retriever.index)}
    from bench.baseline import open_retriever

    reference = open_retriever(index, K)
    return {"dense": latency_ms(reference.retrieve, questions)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("who", choices=["ours", "reference"])
    parser.add_argument("index", type=Path)
    parser.add_argument("squad_json", type=Path)
    parser.add_argument("n", type=int)
    args = parser.parse_args(argv)
    emit(run(args.who, args.index, args.squad_json, args.n))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
