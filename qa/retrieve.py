"""Hybrid search: dense (FAISS) and BM25 rankings merged by score fusion (or reciprocal rank fusion)."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Literal

from qa.config import Settings
from qa.embed import Embedder, embedder_for
from qa.errors import IndexLoadError
from qa.index import LoadedIndex, current_version, load_index
from qa.types import Hit

Mode = Literal["hybrid", "dense", "bm25"]
Fusion = Literal["convex", "rrf"]
Ranking = list[tuple[int, float]]


def check_question(question: str) -> str:
    """The question stripped of surrounding white space; a blank one is a ``ValueError``."""
    if not isinstance(question, str):
        raise TypeError(f"question must be a str. Currently, it is a {type(question).__name__}")
    stripped = question.strip()
    if not stripped:
        raise ValueError("question is blank: ask something about the articles")
    return stripped


def rrf(rankings: list[tuple[Ranking, float]], rrf_k: int) -> Ranking:
    """Weighted reciprocal rank fusion: each ranking adds ``weight / (rrf_k + rank)`` (rank from 1) to
    the rows it holds. Ties keep the order in which rows were first seen."""
    fused: dict[int, float] = {}
    for ranking, weight in rankings:
        for rank, (row, _score) in enumerate(ranking, start=1):
            fused[row] = fused.get(row, 0.0) + weight / (rrf_k + rank)
    return sorted(fused.items(), key=lambda item: -item[1])


def convex(rankings: list[tuple[Ranking, float]]) -> Ranking:
    """Convex combination of min-max normalised scores: within each ranking the best score becomes
    1 and the worst 0, then each row gets the weighted sum over the rankings that hold it. Unlike
    rank fusion it keeps how far apart the scores are."""
    fused: dict[int, float] = {}
    for ranking, weight in rankings:
        if not ranking:
            continue
        scores = [score for _row, score in ranking]
        low, spread = min(scores), (max(scores) - min(scores)) or 1.0
        for row, score in ranking:
            fused[row] = fused.get(row, 0.0) + weight * (score - low) / spread
    return sorted(fused.items(), key=lambda item: -item[1])


def fuse(dense: Ranking, sparse: Ranking, settings: Settings) -> Ranking:
    weighted = [(dense, settings.dense_weight), (sparse, settings.bm25_weight)]
    return convex(weighted) if settings.fusion == "convex" else rrf(weighted, settings.rrf_k)


class Retriever:
    """A loaded index and the embedder that made it."""

    def __init__(self, index: LoadedIndex, embedder: Embedder, settings: Settings) -> None:
        built_with = index.manifest.embedder
        if built_with != {"name": embedder.name, "dim": embedder.dim}:
            raise IndexLoadError(
                f"the index at {str(index.path.parent)!r} was built with {built_with}, not with "
                f"{embedder.name} ({embedder.dim}-d); rebuild it with `qa index`"
            )
        self.index = index
        self.embedder = embedder
        self.settings = settings

    @classmethod
    def open(cls, index_dir: Path, settings: Settings, embedder: Embedder | None = None) -> Retriever:
        settings = settings.with_(embedder=embedder.name) if embedder else settings
        index = load_index(index_dir, settings)
        return cls(index, embedder or embedder_for(settings), settings)

    def search(self, question: str, k: int = 5, mode: Mode = "hybrid") -> list[Hit]:
        return self.search_many([question], k, mode)[0]

    def search_many(self, questions: list[str], k: int = 5, mode: Mode = "hybrid") -> list[list[Hit]]:
        """The top ``k`` hits for each question, best first."""
        if k < 1:
            raise ValueError(f"k must be greater than 0. Currently, k is {k}")
        limit = self.settings.max_query_chars
        queries = [check_question(q)[:limit] for q in questions]
        n = max(self.settings.candidates, k)
        dense: list[Ranking] = [[] for _ in queries]
        sparse: list[Ranking] = [[] for _ in queries]
        if mode in ("hybrid", "dense"):
            dense = self.index.dense_search(self.embedder.embed(queries), n)
        if mode in ("hybrid", "bm25"):
            sparse = self.index.bm25_search(queries, n)
        results = []
        for d, s in zip(dense, sparse, strict=True):
            ranking = fuse(d, s, self.settings) if mode == "hybrid" else d or s
            results.append([Hit.from_chunk(self.index.chunks[row], score) for row, score in ranking[:k]])
        return results


_lock = threading.Lock()
_open: dict[tuple[Path, Path | None], Retriever] = {}


def get_retriever(
    index_dir: Path | str | None = None, settings: Settings | None = None, embedder: Embedder | None = None
) -> Retriever:
    """The retriever for ``index_dir``, loaded once per process and reloaded when the live version
    of the index changes (after ``qa index``). An ``embedder`` given here replaces the one the
    settings name, for this index until it changes (tests pass a fake one). Search settings
    (fusion, weights, candidates) are the ones given, over the index and embedder already loaded."""
    settings = settings or Settings.from_env()
    path = Path(index_dir) if index_dir is not None else settings.index_dir
    key = (path.resolve(), current_version(path))
    with _lock:
        if key not in _open or embedder is not None:
            for old in [k for k in _open if k[0] == key[0]]:
                del _open[old]
            _open[key] = Retriever.open(path, settings, embedder)
        loaded = _open[key]
    if _search_settings(loaded.settings) == _search_settings(settings):
        return loaded
    return Retriever(loaded.index, loaded.embedder, settings.with_(embedder=loaded.embedder.name))


def _search_settings(settings: Settings) -> tuple[object, ...]:
    s = settings
    return (s.candidates, s.fusion, s.dense_weight, s.bm25_weight, s.rrf_k, s.max_query_chars)


def retrieve(
    question: str, k: int = 5, index_dir: Path | str | None = None, *, settings: Settings | None = None
) -> list[Hit]:
    """The ``k`` chunks that best match ``question``, best first, by hybrid dense + BM25 search."""
    check_question(question)
    return get_retriever(index_dir, settings).search(question, k)
