"""Indexing measurements, each run in its own process by ``bench.run`` (so peak memory is its own):

    python -m bench.indexing ours DOCS INDEX [--exact-max N]
    python -m bench.indexing reference DOCS PERSIST [--chunk-size N]
    python -m bench.indexing update DOCS INDEX     # add one new article to a built index, then remove it

Each prints one JSON line: seconds (model load apart), chunks, and peak resident memory.
"""

from __future__ import annotations

import argparse
import math
import shutil
import time
from pathlib import Path
from typing import Any

from bench.common import emit


def corpus_megabytes(docs: Path) -> float:
    return sum(p.stat().st_size for p in docs.rglob("*") if p.is_file() and p.suffix in (".txt", ".md")) / 1e6


def repeated_corpus(docs: Path, target: Path, min_chunks: int, chunks_per_copy: int) -> int:
    """Copies of the articles of ``docs`` under ``target/copy-NNN/`` (hard links where possible),
    enough to reach ``min_chunks``; returns the number of copies. The text repeats verbatim."""
    copies = max(1, math.ceil(min_chunks / max(1, chunks_per_copy)))
    files = sorted(p for p in docs.iterdir() if p.suffix in (".txt", ".md"))
    target.mkdir(parents=True, exist_ok=True)
    for copy in range(copies):
        folder = target / f"copy-{copy:03d}"
        folder.mkdir(exist_ok=True)
        for path in files:
            out = folder / path.name
            if not out.exists():
                try:
                    out.hardlink_to(path)
                except OSError:
                    shutil.copyfile(path, out)
    return copies


def index_ours(docs: Path, index_dir: Path, exact_max: int | None) -> dict[str, Any]:
    from qa.config import Settings
    from qa.embed import embedder_for
    from qa.index import EXACT_MAX_CHUNKS, build_index, load_index

    settings = Settings.from_env(corpus_dir=docs, index_dir=index_dir)
    started = time.perf_counter()
    embedder = embedder_for(settings)
    loaded = time.perf_counter()
    report = build_index(docs, index_dir, settings=settings, embedder=embedder, exact_max=exact_max or EXACT_MAX_CHUNKS)
    done = time.perf_counter()
    layout = load_index(index_dir, settings).manifest.dense
    return {
        "model_load_s": loaded - started,
        "index_s": done - loaded,
        "chunks": report.chunks,
        "embedded": report.embedded_chunks,
        "layout": layout,
        "precision": embedder.precision,
    }


def update_ours(docs: Path, index_dir: Path) -> dict[str, Any]:
    """Seconds to add one new article to the index of ``docs`` (its first article with one line changed,
    so a few chunks are new) and to remove it again, with the embedder already loaded."""
    from qa.config import Settings
    from qa.embed import embedder_for
    from qa.index import build_index

    settings = Settings.from_env(corpus_dir=docs, index_dir=index_dir)
    embedder = embedder_for(settings)
    first = min(p for p in docs.rglob("*.txt"))
    probe = docs / "zz-update-probe.txt"
    probe.write_text("A new opening line for the update probe.\n" + first.read_text(encoding="utf-8"), encoding="utf-8")
    try:
        added = build_index(docs, index_dir, settings=settings, embedder=embedder)
    finally:
        probe.unlink()
    removed = build_index(docs, index_dir, settings=settings, embedder=embedder)
    return {
        "add_s": added.seconds,
        "add_embedded": added.embedded_chunks,
        "remove_s": removed.seconds,
        "chunks": removed.chunks,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("who", choices=["ours", "reference", "update"])
    parser.add_argument("docs", type=Path)
    parser.add_argument("out", type=Path)
    parser.add_argument("--exact-max", type=int, default=None)
    parser.add_argument("--chunk-size", type=int, default=None)
    args = parser.parse_args(argv)
    if args.who == "ours":
        result = index_ours(args.docs, args.out, args.exact_max)
    elif args.who == "update":
        result = update_ours(args.docs, args.out)
    else:
        from bench.baseline import build

        result = build(args.docs, args.out, args.chunk_size)
    emit({**result, "megabytes": corpus_megabytes(args.docs)})
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
