"""Build, update, save and load the index: FAISS (dense) and BM25 (sparse) over the chunks.

On disk an index folder holds version folders and a ``CURRENT`` file naming the live one::

    index/CURRENT            "v-20261123T153000-1a2b3c"
    index/v-20261123T153000-1a2b3c/
        manifest.json        format, embedder, chunk settings, dense layout, each file's sha256, counts
        chunks.jsonl         one chunk per line, row i of the vectors
        vectors.npy          float32, L2-normalised, one row per chunk
        dense.faiss          inner-product FAISS index over the vectors: exact, or IVF when large
        sparse/              BM25 term counts (qa/sparse.py)

A build writes a new version folder under a temporary name, renames it, and only then replaces
``CURRENT`` (``os.replace`` is atomic), so a build killed at any point leaves the previous
index in use. An update embeds and tokenises only texts the previous version does not hold, and
re-uses the previous version's IVF centroids while the cluster count stays the same.
FAISS is used only in this module.
"""

from __future__ import annotations

import json
import logging
import math
import os
import secrets
import shutil
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

import numpy as np

from qa.chunking import chunk_document
from qa.config import Settings
from qa.corpus import decode, scan
from qa.embed import Embedder, Vectors, embedder_for
from qa.errors import IndexLoadError
from qa.sparse import SparseIndex, combine
from qa.sparse import tokenize as bm25_tokenize
from qa.types import Chunk, IndexReport

log = logging.getLogger(__name__)

__all__ = ["DenseLayout", "LoadedIndex", "bm25_tokenize", "build_index", "choose_dense_layout", "load_index"]

FORMAT_VERSION = 2  # 2: dense layout in the manifest (flat or IVF); BM25 kept as term counts in sparse/
SPLITTER = "punkt-english-by-line/tiktoken-cl100k"
_CURRENT = "CURRENT"
_BUILDING = ".building-"
_REBUILD_HINT = "rebuild it with `qa index {corpus} --index {index}`"

# Exact search scans every vector: on this 2-core machine a query takes about 0.04 ms per 1,000
# chunks (bench/run.py), so 200,000 chunks cost about 8 ms. Above that an IVF index is used.
EXACT_MAX_CHUNKS = 200_000


@dataclass(frozen=True, slots=True)
class DenseLayout:
    """How the vectors are searched: ``flat`` compares the query with every vector (exact);
    ``ivf`` groups them into ``nlist`` k-means clusters and scans the ``nprobe`` clusters whose
    centroids best match the query (approximate)."""

    kind: Literal["flat", "ivf"]
    nlist: int = 0
    nprobe: int = 0

    def __post_init__(self) -> None:
        if self.kind not in ("flat", "ivf"):
            raise ValueError(f"kind must be 'flat' or 'ivf'. Currently, kind is {self.kind!r}")
        if self.kind == "ivf" and not 1 <= self.nprobe <= self.nlist:
            raise ValueError(f"nprobe must be in [1, nlist]. Currently, nprobe is {self.nprobe}, nlist {self.nlist}")


def choose_dense_layout(chunks: int, exact_max: int = EXACT_MAX_CHUNKS) -> DenseLayout:
    """Exact search up to ``exact_max`` chunks; above, IVF with about 4 sqrt(n) clusters (a power of
    two) of which 1/32 are scanned, which kept recall@10 against exact search at 0.95 or more
    (tests/test_index.py, bench/run.py)."""
    if exact_max < 1:
        raise ValueError(f"exact_max must be greater than 0. Currently, exact_max is {exact_max}")
    if chunks <= exact_max:
        return DenseLayout("flat")
    nlist = 1 << max(4, round(math.log2(4 * math.sqrt(chunks))))
    nlist = min(nlist, 1 << int(math.log2(max(1, chunks // 39))))  # k-means wants 39 points a cluster
    return DenseLayout("ivf", nlist, min(nlist, max(8, nlist // 32)))


@dataclass(frozen=True, slots=True)
class Manifest:
    format_version: int
    created: str
    corpus_dir: str
    embedder: dict[str, Any]  # name, dim
    chunking: dict[str, Any]  # chunk_size, chunk_overlap, splitter
    files: dict[str, dict[str, Any]]  # source -> sha256, chunks
    counts: dict[str, int]  # files, chunks
    dense: dict[str, Any] = field(default_factory=dict)  # DenseLayout as a dict

    @classmethod
    def expected_chunking(cls, settings: Settings) -> dict[str, Any]:
        return {"chunk_size": settings.chunk_size, "chunk_overlap": settings.chunk_overlap, "splitter": SPLITTER}

    @property
    def layout(self) -> DenseLayout:
        return DenseLayout(**self.dense)


class LoadedIndex:
    """An index read from disk: the chunks, their vectors, and both search structures."""

    def __init__(
        self, path: Path, manifest: Manifest, chunks: list[Chunk], vectors: Vectors, dense: Any, sparse: SparseIndex
    ):
        self.path = path
        self.manifest = manifest
        self.chunks = chunks
        self.vectors = vectors
        self._dense = dense
        self.sparse = sparse

    def __len__(self) -> int:
        return len(self.chunks)

    def dense_search(self, queries: Vectors, n: int) -> list[list[tuple[int, float]]]:
        """For each query row, up to ``n`` (chunk row, cosine) pairs, best first."""
        n = min(n, len(self.chunks))
        if n < 1:
            return [[] for _ in range(len(queries))]
        scores, rows = self._dense.search(np.ascontiguousarray(queries, dtype=np.float32), n)
        return [
            [(int(r), float(s)) for r, s in zip(rr, ss, strict=True) if r >= 0]
            for rr, ss in zip(rows, scores, strict=True)
        ]

    def bm25_search(self, queries: list[str], n: int) -> list[list[tuple[int, float]]]:
        """For each query, up to ``n`` (chunk row, BM25 score) pairs with a positive score, best first."""
        return self.sparse.search(queries, n)


# ----------------------------------------------------------------------------------------- loading


def current_version(index_dir: Path) -> Path | None:
    pointer = index_dir / _CURRENT
    if not pointer.is_file():
        return None
    name = pointer.read_text(encoding="utf-8").strip()
    return index_dir / name if name else None


def read_manifest(version: Path) -> Manifest:
    data = json.loads((version / "manifest.json").read_text(encoding="utf-8"))
    return Manifest(**data)


def _read_chunks(version: Path) -> list[Chunk]:
    with (version / "chunks.jsonl").open(encoding="utf-8") as lines:
        return [Chunk(**json.loads(line)) for line in lines]


def load_index(index_dir: Path, settings: Settings | None = None) -> LoadedIndex:
    """Reads and checks the live index. Raises ``IndexLoadError``, saying how to rebuild, when it is
    missing, damaged, or was built with another embedder or format than ``settings`` asks for."""
    import faiss

    settings = settings or Settings()
    hint = _REBUILD_HINT.format(corpus="CORPUS", index=index_dir)  # the folder it was built from is in its manifest
    version = current_version(index_dir)
    if version is None:
        raise IndexLoadError(f"no index at {str(index_dir)!r}: build it with `qa index CORPUS --index {index_dir}`")
    try:
        manifest = read_manifest(version)
    except (OSError, ValueError, TypeError) as exc:
        raise IndexLoadError(f"the index at {str(index_dir)!r} is damaged (manifest: {exc}); {hint}") from exc
    hint = _REBUILD_HINT.format(corpus=manifest.corpus_dir, index=index_dir)
    _check_compatible(manifest, settings, index_dir, hint)
    try:
        chunks = _read_chunks(version)
        vectors = np.load(version / "vectors.npy", mmap_mode="r")  # paged in as needed, not copied
        dense = faiss.read_index(str(version / "dense.faiss"))
        layout = manifest.layout
        if layout.kind == "ivf":
            faiss.extract_index_ivf(dense).nprobe = layout.nprobe
        sparse = SparseIndex.load(version / "sparse")
    except Exception as exc:
        raise IndexLoadError(
            f"the index at {str(index_dir)!r} is damaged ({type(exc).__name__}: {exc}); {hint}"
        ) from exc
    expected = manifest.counts["chunks"]
    found = {"chunks.jsonl": len(chunks), "vectors.npy": len(vectors), "dense.faiss": dense.ntotal}
    found["sparse"] = len(sparse)
    wrong = {k: v for k, v in found.items() if v != expected}
    if wrong or vectors.shape[1:] != (manifest.embedder["dim"],) or dense.d != manifest.embedder["dim"]:
        raise IndexLoadError(
            f"the index at {str(index_dir)!r} is damaged: manifest says {expected} chunks of dimension "
            f"{manifest.embedder['dim']}, files hold {found} (vectors {vectors.shape}); {hint}"
        )
    return LoadedIndex(version, manifest, chunks, vectors, dense, sparse)


def _check_compatible(manifest: Manifest, settings: Settings, index_dir: Path, hint: str) -> None:
    if manifest.format_version != FORMAT_VERSION:
        raise IndexLoadError(
            f"the index at {str(index_dir)!r} has format {manifest.format_version}, "
            f"this version of qa reads format {FORMAT_VERSION}; {hint}"
        )
    if manifest.embedder.get("name") != settings.embedder:
        raise IndexLoadError(
            f"the index at {str(index_dir)!r} was built with embedder {manifest.embedder.get('name')!r}, "
            f"but the settings ask for {settings.embedder!r}; {hint}"
        )


# ---------------------------------------------------------------------------------------- building


def build_index(
    corpus_dir: Path | str | None = None,
    index_dir: Path | str | None = None,
    *,
    settings: Settings | None = None,
    embedder: Embedder | None = None,
    progress: bool = False,
    on_warning: Callable[[str], None] | None = None,
    exact_max: int = EXACT_MAX_CHUNKS,
) -> IndexReport:
    """Indexes the articles of ``corpus_dir`` into ``index_dir``, incrementally: only new or changed
    files are chunked, only texts the index does not hold yet are embedded and tokenised, removed
    files are dropped, and nothing is written when nothing changed. Above ``exact_max`` chunks the
    dense side is an IVF index (``choose_dense_layout``). Raises ``CorpusError`` for a missing or
    empty folder."""
    started = time.perf_counter()
    settings = settings or Settings.from_env()
    corpus = Path(corpus_dir) if corpus_dir is not None else settings.corpus_dir
    target = Path(index_dir) if index_dir is not None else settings.index_dir
    files, warnings = scan(corpus)
    for warning in warnings:
        if on_warning:
            on_warning(warning)

    previous = _reusable_index(target, settings, embedder)
    old_files = previous.manifest.files if previous else {}
    current = {f.source: f for f in files}
    added = tuple(s for s in current if s not in old_files)
    updated = tuple(s for s in current if s in old_files and old_files[s]["sha256"] != current[s].sha256)
    unchanged = tuple(s for s in current if s in old_files and s not in updated)
    removed = tuple(s for s in old_files if s not in current)

    def report(chunks: int, embedded: int) -> IndexReport:
        return IndexReport(
            added, updated, removed, unchanged, tuple(warnings), chunks, embedded, time.perf_counter() - started
        )

    if previous is not None and not (added or updated or removed):
        return report(len(previous), 0)

    embedder = embedder or embedder_for(settings)
    fresh: dict[str, list[Chunk]] = {}
    for source in (*added, *updated):
        document, decode_warning = decode(current[source])
        if decode_warning:
            warnings.append(decode_warning)
            if on_warning:
                on_warning(decode_warning)
        fresh[source] = chunk_document(document, settings.chunk_size, settings.chunk_overlap)

    # Row i of the new version is row order[i] of [the previous version's rows, then new_texts]:
    # a text the previous version holds (in a kept file or not) is neither embedded nor tokenised.
    old_rows: dict[str, list[int]] = {}
    known: dict[str, int] = {}
    if previous is not None:
        for row, chunk in enumerate(previous.chunks):
            old_rows.setdefault(chunk.source, []).append(row)
            known.setdefault(chunk.text, row)
    offset = len(previous) if previous is not None else 0
    new_texts = sorted({c.text for chunks in fresh.values() for c in chunks if c.text not in known})
    position = {text: offset + i for i, text in enumerate(new_texts)}
    chunks: list[Chunk] = []
    order: list[int] = []
    for source in current:  # corpus order, so a rebuild from scratch gives the same rows
        if source in fresh:
            chunks.extend(fresh[source])
            order.extend(known[c.text] if c.text in known else position[c.text] for c in fresh[source])
        else:
            rows = old_rows.get(source, [])
            chunks.extend(previous.chunks[r] for r in rows)  # type: ignore[union-attr]
            order.extend(rows)

    new_vectors = embedder.embed(new_texts, progress=progress)
    pool = [np.asarray(previous.vectors), new_vectors] if previous is not None else [new_vectors]
    vectors = np.ascontiguousarray(np.concatenate(pool)[np.asarray(order, dtype=np.int64)], dtype=np.float32)
    vectors = vectors.reshape(len(chunks), embedder.dim)
    sparse = combine(previous.sparse if previous is not None else None, new_texts, order)
    layout = choose_dense_layout(len(chunks), exact_max)
    dense = build_dense(vectors, layout, previous)

    per_file: dict[str, int] = {}
    for chunk in chunks:
        per_file[chunk.source] = per_file.get(chunk.source, 0) + 1
    manifest = Manifest(
        format_version=FORMAT_VERSION,
        created=datetime.now(UTC).isoformat(timespec="seconds"),
        corpus_dir=str(corpus.resolve()),
        embedder={"name": embedder.name, "dim": embedder.dim},
        chunking=Manifest.expected_chunking(settings),
        files={s: {"sha256": f.sha256, "chunks": per_file.get(s, 0)} for s, f in current.items()},
        counts={"files": len(current), "chunks": len(chunks)},
        dense=asdict(layout),
    )
    write_index(target, manifest, chunks, vectors, dense, sparse)
    return report(len(chunks), len(new_texts))


def _reusable_index(index_dir: Path, settings: Settings, embedder: Embedder | None) -> LoadedIndex | None:
    """The live index if its vectors and chunks can be reused by this build, else None (a full build)."""
    if current_version(index_dir) is None:
        return None
    try:
        previous = load_index(index_dir, settings.with_(embedder=embedder.name) if embedder else settings)
    except IndexLoadError as exc:
        log.warning("rebuilding from scratch: %s", exc)
        return None
    if previous.manifest.chunking != Manifest.expected_chunking(settings):
        log.warning("rebuilding from scratch: chunk settings changed")
        return None
    if embedder is not None and previous.manifest.embedder != {"name": embedder.name, "dim": embedder.dim}:
        return None
    return previous


def build_dense(vectors: Vectors, layout: DenseLayout, previous: LoadedIndex | None = None) -> Any:
    """The FAISS index over ``vectors`` (inner product, so cosine for unit rows). An IVF index
    re-uses the previous version's centroids when it had the same cluster count, else trains
    k-means on up to 64 vectors per cluster (a fixed seeded sample, so builds repeat)."""
    import faiss

    dim = vectors.shape[1]
    if layout.kind == "flat":
        flat = faiss.IndexFlatIP(dim)
        flat.add(vectors)
        return flat
    quantizer = faiss.IndexFlatIP(dim)
    index = faiss.IndexIVFFlat(quantizer, dim, layout.nlist, faiss.METRIC_INNER_PRODUCT)
    centroids = _previous_centroids(previous, layout)
    if centroids is not None:
        quantizer.add(centroids)
        index.is_trained = True
    else:
        sample = min(len(vectors), 64 * layout.nlist)
        rows = np.sort(np.random.default_rng(0).choice(len(vectors), sample, replace=False))
        index.train(np.ascontiguousarray(vectors[rows]))
    index.nprobe = layout.nprobe
    index.add(vectors)
    return index


def _previous_centroids(previous: LoadedIndex | None, layout: DenseLayout) -> Vectors | None:
    import faiss

    if previous is None or previous.manifest.layout != layout:
        return None
    centroids: Vectors = faiss.extract_index_ivf(previous._dense).quantizer.reconstruct_n(0, layout.nlist)
    return centroids


def write_index(
    index_dir: Path, manifest: Manifest, chunks: list[Chunk], vectors: Vectors, dense: Any, sparse: SparseIndex
) -> Path:
    """Writes a complete new version beside the live one, then makes it live atomically."""
    import faiss

    index_dir.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
    name = f"v-{stamp}-{secrets.token_hex(3)}"
    staging = index_dir / f"{_BUILDING}{name}"
    staging.mkdir()
    try:
        with (staging / "chunks.jsonl").open("w", encoding="utf-8") as out:
            for chunk in chunks:
                out.write(json.dumps(asdict(chunk), ensure_ascii=False) + "\n")
        np.save(staging / "vectors.npy", vectors)
        faiss.write_index(dense, str(staging / "dense.faiss"))
        sparse.save(staging / "sparse")
        # The manifest goes last: a version folder with a manifest is complete.
        (staging / "manifest.json").write_text(
            json.dumps(asdict(manifest), indent=1, ensure_ascii=False), encoding="utf-8"
        )
        _fsync_tree(staging)
        final = index_dir / name
        staging.rename(final)
        pointer = index_dir / f"{_CURRENT}.{name}.tmp"
        pointer.write_text(name + "\n", encoding="utf-8")
        _fsync_file(pointer)
        os.replace(pointer, index_dir / _CURRENT)
        _fsync_file(index_dir)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    _remove_stale_versions(index_dir, keep=name)
    return final


def _remove_stale_versions(index_dir: Path, keep: str) -> None:
    """Removes old versions and leftovers of killed builds (temporary folders and pointer files)."""
    for entry in index_dir.iterdir():
        stale_dir = entry.is_dir() and (entry.name.startswith("v-") or entry.name.startswith(_BUILDING))
        stale_pointer = entry.is_file() and entry.name.startswith(f"{_CURRENT}.") and entry.name.endswith(".tmp")
        if entry.name != keep and (stale_dir or stale_pointer):
            if entry.is_dir():
                shutil.rmtree(entry, ignore_errors=True)
            else:
                entry.unlink(missing_ok=True)


def _fsync_file(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_tree(root: Path) -> None:
    for path in sorted(root.rglob("*"), reverse=True):
        _fsync_file(path)
    _fsync_file(root)
