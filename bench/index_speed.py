"""Indexing and search speed on the SQuAD articles, in one run on this machine.

    python -m bench.index_speed [--squad DIR] [--queries N]

Reports: a full build into an empty folder (model load included), a no-change re-run of
``qa index`` as a fresh process (what a user waits for), and ``retrieve()`` latency on a loaded
index, one question at a time.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from evals.squad import DEFAULT_SQUAD, load_squad
from qa.config import Settings
from qa.index import build_index
from qa.retrieve import get_retriever


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--squad", type=Path, default=DEFAULT_SQUAD)
    parser.add_argument("--queries", type=int, default=300)
    args = parser.parse_args(argv)
    docs = args.squad / "docs"
    megabytes = sum(p.stat().st_size for p in docs.glob("*.txt")) / 1e6

    with tempfile.TemporaryDirectory() as tmp:
        index_dir = Path(tmp) / "index"
        settings = Settings.from_env(corpus_dir=docs, index_dir=index_dir)
        started = time.perf_counter()
        report = build_index(docs, index_dir, settings=settings, progress=True)
        full = time.perf_counter() - started

        started = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "qa.cli", "index", str(docs), "--index", str(index_dir)],
            check=True,
            capture_output=True,
        )
        noop = time.perf_counter() - started

        questions = [q.question for q in load_squad(args.squad / "dev-v1.1.json", args.queries, seed=1)]
        retriever = get_retriever(index_dir, settings)
        retriever.search(questions[0])  # warm-up
        latencies = []
        for question in questions:
            started = time.perf_counter()
            retriever.search(question, k=5)
            latencies.append(1000 * (time.perf_counter() - started))

    latencies.sort()
    p95 = latencies[int(0.95 * (len(latencies) - 1))]
    print(
        f"corpus: {len(list(docs.glob('*.txt')))} articles, {megabytes:.2f} MB, {report.chunks} chunks "
        f"(chunk_size {settings.chunk_size}, overlap {settings.chunk_overlap})"
    )
    print("| step | time |")
    print("|---|---|")
    rate = f"{report.chunks / full:.1f} chunks/s, {megabytes / full:.3f} MB/s"
    print(f"| full build (model load included) | {full:.1f} s ({rate}) |")
    print(f"| `qa index` again, nothing changed (new process) | {noop:.2f} s |")
    print(f"| `retrieve()` k=5, median of {len(latencies)} | {statistics.median(latencies):.1f} ms |")
    print(f"| `retrieve()` k=5, p95 | {p95:.1f} ms |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
