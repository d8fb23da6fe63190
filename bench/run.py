"""The speed and scale benchmark: one command, measured on the machine it runs on, every timing side by
side with the plain llama-index pipeline in the same run. Writes ``results.json``, ``report.md`` and
PNG plots to ``--out`` (bench/out/ by default, git-ignored).

    python -m bench.run                                   # everything (about an hour here)
    python -m bench.run --sizes 2000,5000 --large-chunks 5000 --ask 1 --reference-ask 0   # a quick run

Sections (``--sections``, comma-separated):
- ``index``: indexing the SQuAD articles from scratch, ours and llama-index's (its defaults, and with
  chunks of our size), a no-change re-index, and search latency on the built indexes;
- ``large``: indexing a corpus of at least ``--large-chunks`` chunks made by repeating the articles
  (verbatim: the index embeds each distinct text once, so this measures everything but embedding);
- ``search``: dense search latency and recall at ``--sizes`` chunks (bench/search.py);
- ``ask``: ``ask()`` per stage against llama-index's ``CitationQueryEngine`` (bench/answering.py).
Each measurement runs in a fresh process; its peak memory is reported with it.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.common import REPO, run_child
from bench.indexing import repeated_corpus
from bench.report import write_report
from evals.squad import DEFAULT_SQUAD
from qa.config import Settings

SECTIONS = ("index", "large", "search", "ask")


def no_change_reindex(docs: Path, index_dir: Path) -> float:
    """Seconds for ``qa index`` with nothing changed, as a new process (what a user waits for)."""
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "qa.cli", "index", str(docs), "--index", str(index_dir)],
        cwd=REPO,
        check=True,
        capture_output=True,
    )
    return time.perf_counter() - started


def index_section(args: argparse.Namespace, work: Path, log: Any) -> dict[str, Any]:
    docs, squad_json = args.squad / "docs", args.squad / "dev-v1.1.json"
    out: dict[str, Any] = {}
    log("indexing the SQuAD articles: ours")
    out["ours"] = run_child("bench.indexing", "ours", str(docs), str(work / "ours"))
    out["ours"]["reindex_s"] = no_change_reindex(docs, work / "ours")
    if out["ours"]["precision"] != "fp32":  # where the gain comes from: the same build in fp32
        log("indexing the SQuAD articles: ours, fp32 embeddings")
        fp32 = {"QA_EMBED_PRECISION": "fp32"}
        out["ours_fp32"] = run_child("bench.indexing", "ours", str(docs), str(work / "ours-fp32"), env=fp32)
    log("indexing the SQuAD articles: llama-index, default settings")
    out["reference"] = run_child("bench.indexing", "reference", str(docs), str(work / "reference"))
    if args.reference_chunk_size:
        log(f"indexing the SQuAD articles: llama-index, {args.reference_chunk_size}-token chunks")
        out["reference_sized"] = run_child(
            "bench.indexing",
            "reference",
            str(docs),
            str(work / "reference-sized"),
            "--chunk-size",
            str(args.reference_chunk_size),
        )
        out["reference_sized"]["chunk_size"] = args.reference_chunk_size
    log("search latency on the SQuAD indexes")
    n = str(args.retrieve_queries)
    out["search_ours"] = run_child("bench.retrieval", "ours", str(work / "ours"), str(squad_json), n)
    out["search_reference"] = run_child("bench.retrieval", "reference", str(work / "reference"), str(squad_json), n)
    return out


def large_section(args: argparse.Namespace, work: Path, squad_chunks: int, log: Any) -> dict[str, Any]:
    docs = work / "large-corpus"
    copies = repeated_corpus(args.squad / "docs", docs, args.large_chunks, squad_chunks)
    log(f"indexing {copies} copies of the SQuAD articles: ours")
    out = run_child("bench.indexing", "ours", str(docs), str(work / "large"))
    out["copies"] = copies
    out["reindex_s"] = no_change_reindex(docs, work / "large")
    log("adding one article to the large index, then removing it")
    out["update"] = run_child("bench.indexing", "update", str(docs), str(work / "large"))
    log("search latency on the large index")
    out["search"] = run_child(
        "bench.retrieval", "ours", str(work / "large"), str(args.squad / "dev-v1.1.json"), str(args.retrieve_queries)
    )
    return out


def search_section(args: argparse.Namespace, work: Path, log: Any) -> dict[str, Any]:
    pool = args.cache / "pool.npz"
    if not pool.is_file():
        log("embedding the SQuAD questions for the vector pool")
        run_child(
            "bench.search", "pool", str(work / "ours"), str(args.squad / "dev-v1.1.json"), str(pool),
            "--queries", str(args.queries),
        )  # fmt: skip
    log(f"dense search at {args.sizes} chunks (cached under {args.cache})")
    return run_child("bench.search", "sizes", str(pool), str(args.cache), "--sizes", args.sizes)


def ask_section(args: argparse.Namespace, log: Any) -> dict[str, Any]:
    out: dict[str, Any] = {}
    log(f"ask() on {args.ask} seed questions ({args.ask_backend})")
    out["ours"] = run_child("bench.answering", "ours", str(args.ask), "--backend", args.ask_backend)
    if args.reference_ask:
        log(f"CitationQueryEngine on {args.reference_ask} seed questions")
        out["reference"] = run_child("bench.answering", "reference", str(args.reference_ask))
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--squad", type=Path, default=DEFAULT_SQUAD, help="holds docs/ and dev-v1.1.json")
    parser.add_argument("--sections", default=",".join(SECTIONS))
    parser.add_argument("--large-chunks", type=int, default=100_000)
    parser.add_argument("--sizes", default="10000,100000,1000000", help="chunk counts for the search section")
    parser.add_argument("--queries", type=int, default=300, help="held-out questions for the search section")
    parser.add_argument("--retrieve-queries", type=int, default=300, help="questions for search on real indexes")
    parser.add_argument("--reference-chunk-size", type=int, default=192, help="0: only llama-index's defaults")
    parser.add_argument("--ask", type=int, default=8, help="seed questions for ask()")
    parser.add_argument("--ask-backend", default="local", choices=["local", "extractive"])
    parser.add_argument("--reference-ask", type=int, default=3, help="seed questions for CitationQueryEngine")
    parser.add_argument("--cache", type=Path, default=None, help="default: <Settings.cache_dir>/bench")
    parser.add_argument("--out", type=Path, default=REPO / "bench" / "out")
    args = parser.parse_args(argv)
    sections = [s.strip() for s in args.sections.split(",") if s.strip()]
    unknown = sorted(set(sections) - set(SECTIONS))
    if unknown:
        parser.error(f"unknown sections {unknown}; known: {', '.join(SECTIONS)}")
    args.cache = args.cache or Settings.from_env().cache_dir / "bench"
    args.cache.mkdir(parents=True, exist_ok=True)
    args.out.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()

    def log(message: str) -> None:
        print(f"[{time.perf_counter() - started:7.1f}s] {message}", file=sys.stderr, flush=True)

    results: dict[str, Any] = {"command": "python -m bench.run " + " ".join(argv or sys.argv[1:])}
    with tempfile.TemporaryDirectory(prefix="qa-bench-") as tmp:
        work = Path(tmp)
        if {"index", "large", "search"} & set(sections):
            results["index"] = index_section(args, work, log)
        if "large" in sections and args.large_chunks:
            results["large"] = large_section(args, work, results["index"]["ours"]["chunks"], log)
        if "search" in sections:
            results["search"] = search_section(args, work, log)
        if "ask" in sections:
            results["ask"] = ask_section(args, log)
    results["seconds"] = time.perf_counter() - started
    (args.out / "results.json").write_text(json.dumps(results, indent=1), encoding="utf-8")
    report = write_report(results, args.out)
    print(report)
    log(f"wrote {args.out / 'report.md'} and its plots")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
