"""Hybrid search: dense (FAISS) and BM25 rankings merged by weighted reciprocal rank fusion."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Literal

from qa.config import Settings
from qa.embed import Embedder, load_embedder
from qa.errors import IndexLoadError
from qa.index import LoadedIndex, current_version, load_index
from qa.types import Hit

Mode = Literal["hybrid", "dense", "bm25"]
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
        return cls(index, embedder or load_embedder(settings.embedder, settings.embed_batch_size), settings)

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
            if mode == "hybrid":
                ranking = rrf([(d, self.settings.dense_weight), (s, self.settings.bm25_weight)], self.settings.rrf_k)
            else:
                ranking = d or s
            results.append([Hit.from_chunk(self.index.chunks[row], score) for row, score in ranking[:k]])
        return results


_lock = threading.Lock()
_open: dict[tuple[Path, Path | None], Retriever] = {}


def get_retriever(index_dir: Path | str | None = None, settings: Settings | None = None) -> Retriever:
    """The retriever for ``index_dir``, loaded once per process and reloaded when the live version
    of the index changes (after ``qa index``)."""
    settings = settings or Settings.from_env()
    path = Path(index_dir) if index_dir is not None else settings.index_dir
    key = (path.resolve(), current_version(path))
    with _lock:
        if key not in _open:
            for old in [k for k in _open if k[0] == key[0]]:
                del _open[old]
            _open[key] = Retriever.open(path, settings)
        return _open[key]


def retrieve(question: str, k: int = 5, index_dir: Path | str | None = None, *, settings: Settings | None = None) -> list[Hit]:
    """The ``k`` chunks that best match ``question``, best first, by hybrid dense + BM25 search."""
    check_question(question)
    return get_retriever(index_dir, settings).search(question, k)
