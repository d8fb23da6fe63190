"""Build, update, save and load the index: FAISS (dense) and bm25s (sparse) over the chunks.

On disk an index folder holds version folders and a ``CURRENT`` file naming the live one::

    index/CURRENT            "v-20261123T153000-1a2b3c"
    index/v-20261123T153000-1a2b3c/
        manifest.json        format, embedder, chunk settings, each file's sha256, counts
        chunks.jsonl         one chunk per line, row i of the vectors
        vectors.npy          float32, L2-normalised, one row per chunk
        dense.faiss          inner-product FAISS index over the vectors
        bm25/                bm25s index (English stopwords, Snowball stemming)

A build writes a new version folder under a temporary name, renames it, and only then replaces
``CURRENT`` (``os.replace`` is atomic), so a build killed at any point leaves the previous
index in use. FAISS and bm25s are used only in this module.
"""

from __future__ import annotations

import json
import logging
import os
import secrets
import shutil
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from qa.chunking import chunk_document
from qa.config import Settings
from qa.corpus import decode, scan
from qa.embed import Embedder, Vectors, load_embedder
from qa.errors import IndexLoadError
from qa.types import Chunk, IndexReport

log = logging.getLogger(__name__)
logging.getLogger("bm25s").setLevel(logging.WARNING)  # it logs each build at DEBUG to stderr

FORMAT_VERSION = 1
SPLITTER = "punkt-english-by-line/tiktoken-cl100k"
_CURRENT = "CURRENT"
_BUILDING = ".building-"
_FILES = ("manifest.json", "chunks.jsonl", "vectors.npy", "dense.faiss", "bm25")
_REBUILD_HINT = "rebuild it with `qa index {corpus} --index {index}`"


def _stemmer() -> Any:
    import Stemmer

    return Stemmer.Stemmer("english")


def bm25_tokenize(texts: list[str]) -> list[list[str]]:
    """Lower-cased word tokens, English stopwords removed, Snowball-stemmed."""
    import bm25s

    tokens: list[list[str]] = bm25s.tokenize(
        texts, stopwords="en", stemmer=_stemmer(), return_ids=False, show_progress=False
    )
    return tokens


@dataclass(frozen=True, slots=True)
class Manifest:
    format_version: int
    created: str
    corpus_dir: str
    embedder: dict[str, Any]  # name, dim
    chunking: dict[str, Any]  # chunk_size, chunk_overlap, splitter
    files: dict[str, dict[str, Any]]  # source -> sha256, chunks
    counts: dict[str, int]  # files, chunks

    @classmethod
    def expected_chunking(cls, settings: Settings) -> dict[str, Any]:
        return {"chunk_size": settings.chunk_size, "chunk_overlap": settings.chunk_overlap, "splitter": SPLITTER}


class LoadedIndex:
    """An index read from disk: the chunks, their vectors, and both search structures."""

    def __init__(self, path: Path, manifest: Manifest, chunks: list[Chunk], vectors: Vectors, dense: Any, bm25: Any):
        self.path = path
        self.manifest = manifest
        self.chunks = chunks
        self.vectors = vectors
        self._dense = dense
        self._bm25 = bm25

    def __len__(self) -> int:
        return len(self.chunks)

    def dense_search(self, queries: Vectors, n: int) -> list[list[tuple[int, float]]]:
        """For each query row, up to ``n`` (chunk row, cosine) pairs, best first."""
        n = min(n, len(self.chunks))
        scores, rows = self._dense.search(np.ascontiguousarray(queries, dtype=np.float32), n)
        return [
            [(int(r), float(s)) for r, s in zip(rr, ss, strict=True) if r >= 0]
            for rr, ss in zip(rows, scores, strict=True)
        ]

    def bm25_search(self, queries: list[str], n: int) -> list[list[tuple[int, float]]]:
        """For each query, up to ``n`` (chunk row, BM25 score) pairs with a positive score, best first."""
        n = min(n, len(self.chunks))
        rows, scores = self._bm25.retrieve(bm25_tokenize(queries), k=n, show_progress=False, n_threads=1)
        return [
            [(int(r), float(s)) for r, s in zip(rr, ss, strict=True) if s > 0]
            for rr, ss in zip(rows, scores, strict=True)
        ]


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
    import bm25s
    import faiss

    settings = settings or Settings()
    hint = _REBUILD_HINT.format(corpus=settings.corpus_dir, index=index_dir)
    version = current_version(index_dir)
    if version is None:
        raise IndexLoadError(f"no index at {str(index_dir)!r}: build it with `qa index CORPUS --index {index_dir}`")
    try:
        manifest = read_manifest(version)
    except (OSError, ValueError, TypeError) as exc:
        raise IndexLoadError(f"the index at {str(index_dir)!r} is damaged (manifest: {exc}); {hint}") from exc
    _check_compatible(manifest, settings, index_dir, hint)
    try:
        chunks = _read_chunks(version)
        vectors = np.load(version / "vectors.npy")
        dense = faiss.read_index(str(version / "dense.faiss"))
        bm25 = bm25s.BM25.load(str(version / "bm25"))
    except Exception as exc:
        raise IndexLoadError(
            f"the index at {str(index_dir)!r} is damaged ({type(exc).__name__}: {exc}); {hint}"
        ) from exc
    expected = manifest.counts["chunks"]
    found = {"chunks.jsonl": len(chunks), "vectors.npy": len(vectors), "dense.faiss": dense.ntotal}
    found["bm25"] = int(bm25.scores["num_docs"])
    wrong = {k: v for k, v in found.items() if v != expected}
    if wrong or vectors.shape[1:] != (manifest.embedder["dim"],) or dense.d != manifest.embedder["dim"]:
        raise IndexLoadError(
            f"the index at {str(index_dir)!r} is damaged: manifest says {expected} chunks of dimension "
            f"{manifest.embedder['dim']}, files hold {found} (vectors {vectors.shape}); {hint}"
        )
    return LoadedIndex(version, manifest, chunks, vectors, dense, bm25)


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
) -> IndexReport:
    """Indexes the articles of ``corpus_dir`` into ``index_dir``, incrementally: only new or changed
    files are chunked and embedded, removed files are dropped, and nothing is written when
    nothing changed. Raises ``CorpusError`` for a missing or empty folder."""
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

    embedder = embedder or load_embedder(settings.embedder, settings.embed_batch_size)
    reused: dict[str, tuple[list[Chunk], Vectors]] = {}
    if previous is not None:
        rows_by_source: dict[str, list[int]] = {}
        for row, chunk in enumerate(previous.chunks):
            rows_by_source.setdefault(chunk.source, []).append(row)
        for source in unchanged:
            rows = rows_by_source.get(source, [])
            reused[source] = ([previous.chunks[r] for r in rows], previous.vectors[rows])

    fresh: list[Chunk] = []
    for source in (*added, *updated):
        document, decode_warning = decode(current[source])
        if decode_warning:
            warnings.append(decode_warning)
            if on_warning:
                on_warning(decode_warning)
        fresh.extend(chunk_document(document, settings.chunk_size, settings.chunk_overlap))
    fresh_vectors = _embed_reusing(fresh, previous, embedder, progress)

    chunks: list[Chunk] = []
    parts: list[Vectors] = []
    fresh_by_source: dict[str, list[int]] = {}
    for i, chunk in enumerate(fresh):
        fresh_by_source.setdefault(chunk.source, []).append(i)
    for source in current:  # corpus order, so a rebuild from scratch gives the same rows
        if source in reused:
            old_chunks, old_vectors = reused[source]
            chunks.extend(old_chunks)
            parts.append(old_vectors)
        else:
            rows = fresh_by_source.get(source, [])
            chunks.extend(fresh[r] for r in rows)
            parts.append(fresh_vectors[rows])
    vectors = np.concatenate(parts) if parts else np.zeros((0, embedder.dim), dtype=np.float32)

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
    )
    write_index(target, manifest, chunks, vectors)
    return report(len(chunks), len(fresh))


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


def _embed_reusing(
    chunks: Sequence[Chunk], previous: LoadedIndex | None, embedder: Embedder, progress: bool
) -> Vectors:
    """Vectors for ``chunks``; a text the previous index already embedded is not embedded again."""
    known: dict[str, int] = {c.text: i for i, c in enumerate(previous.chunks)} if previous else {}
    todo = sorted({c.text for c in chunks if c.text not in known})
    new = dict(zip(todo, embedder.embed(todo, progress=progress), strict=True))
    out = np.zeros((len(chunks), embedder.dim), dtype=np.float32)
    for i, chunk in enumerate(chunks):
        out[i] = new[chunk.text] if chunk.text in new else previous.vectors[known[chunk.text]]  # type: ignore[union-attr]
    return out


def write_index(index_dir: Path, manifest: Manifest, chunks: list[Chunk], vectors: Vectors) -> Path:
    """Writes a complete new version beside the live one, then makes it live atomically."""
    import bm25s
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
        dense = faiss.IndexFlatIP(vectors.shape[1])
        dense.add(vectors)
        faiss.write_index(dense, str(staging / "dense.faiss"))
        bm25 = bm25s.BM25()
        bm25.index(bm25_tokenize([c.text for c in chunks]), show_progress=False)
        bm25.save(str(staging / "bm25"))
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
