"""Dense search latency and recall at sizes nobody can embed on this machine (1M chunks would take
about 11 hours of MiniLM here), on vectors shaped like real ones:

- the pool: real MiniLM vectors, the SQuAD chunks plus SQuAD dev questions;
- the base of size N: the pool's chunk and question vectors first, then synthetic rows, each a
  random pool vector plus Gaussian noise, renormalised so its cosine to that vector is about
  ``1 / sqrt(1 + spread**2)`` (0.8 by default): clusters around real texts, like topics;
- the queries: real SQuAD questions held out of the pool, searched one at a time.

For each size: exact search (FAISS flat inner product, what the index uses up to
``EXACT_MAX_CHUNKS``), the same through llama-index's ``FaissVectorStore.query`` (the reference),
and IVF with the parameters ``choose_dense_layout`` picks, with its recall@10 against exact, plus a
sweep of ``nprobe``. Bases, IVF indexes and exact answers are cached under ``--cache``.

    python -m bench.search pool INDEX SQUAD_JSON POOL.npz [--queries N]
    python -m bench.search sizes POOL.npz CACHE --sizes 10000,100000,1000000
"""

from __future__ import annotations

import argparse
import hashlib
import time
from pathlib import Path
from typing import Any

import numpy as np

from bench.common import emit, latency_ms
from qa.embed import Vectors

K = 10


def make_pool(index_dir: Path, squad_json: Path, queries: int, seed: int = 0) -> dict[str, Any]:
    """Real vectors: the index's chunk vectors and the SQuAD questions', with ``queries`` of the
    questions held out as queries."""
    from evals.squad import load_squad
    from qa.config import Settings
    from qa.embed import embedder_for
    from qa.index import load_index

    settings = Settings.from_env(index_dir=index_dir)
    chunks = np.asarray(load_index(index_dir, settings).vectors, dtype=np.float32)
    questions = sorted({q.question for q in load_squad(squad_json, None, seed=seed)})
    order = np.random.default_rng(seed).permutation(len(questions))
    started = time.perf_counter()
    vectors = embedder_for(settings).embed([questions[i] for i in order])
    seconds = time.perf_counter() - started
    return {"pool": np.concatenate([chunks, vectors[queries:]]), "queries": vectors[:queries], "embed_s": seconds}


def synthetic_base(pool: Vectors, n: int, spread: float, seed: int) -> Vectors:
    """``n`` unit rows: the pool first, then noisy copies of random pool rows."""
    out = np.empty((n, pool.shape[1]), dtype=np.float32)
    head = min(n, len(pool))
    out[:head] = pool[:head]
    rng = np.random.default_rng(seed)
    block = 100_000
    for start in range(head, n, block):
        stop = min(n, start + block)
        rows = pool[rng.integers(0, len(pool), stop - start)]
        noisy = rows + rng.standard_normal(rows.shape, dtype=np.float32) * np.float32(spread / np.sqrt(pool.shape[1]))
        out[start:stop] = noisy / np.linalg.norm(noisy, axis=1, keepdims=True)
    return out


def _cached_array(path: Path, make: Any) -> Any:
    if path.is_file():
        return np.load(path, mmap_mode="r")
    value = make()
    tmp = path.with_suffix(".tmp.npy")
    np.save(tmp, value)
    tmp.replace(path)
    return value


def _cached_ivf(path: Path, base: Vectors, layout: Any) -> tuple[Any, float | None]:
    """The IVF index of ``layout`` over ``base``, and its build seconds when built now (None when cached)."""
    import faiss

    from qa.index import build_dense

    if path.is_file():
        index = faiss.read_index(str(path))
        return index, None
    started = time.perf_counter()
    index = build_dense(np.ascontiguousarray(base), layout)
    seconds = time.perf_counter() - started
    faiss.write_index(index, str(path) + ".tmp")
    Path(str(path) + ".tmp").replace(path)
    return index, seconds


def recall_at_k(truth: np.ndarray, found: np.ndarray) -> float:
    """Mean share of each row of ``truth`` found in the same row of ``found``."""
    return float(np.mean([len(set(t) & set(f)) / len(t) for t, f in zip(truth, found, strict=True)]))


def measure_size(n: int, pool: Vectors, queries: Vectors, cache: Path, spread: float, seed: int) -> dict[str, Any]:
    import faiss

    from bench.baseline import store_search
    from qa.index import choose_dense_layout

    key = hashlib.sha256(pool.tobytes()).hexdigest()[:12]
    qkey = hashlib.sha256(queries.tobytes()).hexdigest()[:8]
    stem = f"n{n}-s{spread}-seed{seed}-pool{key}"
    started = time.perf_counter()
    base = _cached_array(cache / f"base-{stem}.npy", lambda: synthetic_base(pool, n, spread, seed))
    flat = faiss.IndexFlatIP(base.shape[1])
    flat.add(np.ascontiguousarray(base))
    prepared = time.perf_counter() - started
    truth = _cached_array(cache / f"truth-{stem}-q{qkey}.npy", lambda: flat.search(queries, K)[1])
    layout = choose_dense_layout(n, exact_max=1)
    ivf, build_s = _cached_ivf(cache / f"ivf-{stem}-{layout.nlist}.faiss", base, layout)
    ivf_params = faiss.extract_index_ivf(ivf)
    singles = [queries[i : i + 1] for i in range(len(queries))]
    result: dict[str, Any] = {
        "n": n,
        "auto_layout": choose_dense_layout(n).kind,
        "prepare_s": prepared,
        "ivf_build_s": build_s,
        "exact": latency_ms(lambda q: flat.search(q, K), singles),
        "reference": latency_ms(store_search(flat, K), list(queries)),
        "ivf": {"nlist": layout.nlist, "nprobe": layout.nprobe},
        "sweep": [],
    }
    for nprobe in sorted({layout.nprobe} | {max(1, layout.nlist // d) for d in (128, 64, 32, 16)}):
        ivf_params.nprobe = nprobe
        found = ivf.search(queries, K)[1]
        point = {"nprobe": nprobe, "recall": recall_at_k(np.asarray(truth), found)}
        point.update(latency_ms(lambda q: ivf.search(q, K), singles))
        result["sweep"].append(point)
        if nprobe == layout.nprobe:
            result["ivf"].update(point)
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="what", required=True)
    pool = sub.add_parser("pool")
    pool.add_argument("index", type=Path)
    pool.add_argument("squad_json", type=Path)
    pool.add_argument("out", type=Path)
    pool.add_argument("--queries", type=int, default=300)
    sizes = sub.add_parser("sizes")
    sizes.add_argument("pool", type=Path)
    sizes.add_argument("cache", type=Path)
    sizes.add_argument("--sizes", default="10000,100000,1000000")
    sizes.add_argument("--spread", type=float, default=0.75)
    sizes.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    if args.what == "pool":
        made = make_pool(args.index, args.squad_json, args.queries)
        np.savez(args.out, pool=made["pool"], queries=made["queries"])
        emit({"pool": len(made["pool"]), "queries": len(made["queries"]), "embed_s": made["embed_s"]})
        return 0
    data = np.load(args.pool)
    args.cache.mkdir(parents=True, exist_ok=True)
    results = [
        measure_size(int(n), data["pool"], data["queries"], args.cache, args.spread, args.seed)
        for n in args.sizes.split(",")
    ]
    emit({"sizes": results})
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
