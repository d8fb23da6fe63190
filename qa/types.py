"""Frozen dataclasses for the data that flows through the package."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Document:
    """One article as read from the corpus folder."""

    source: str  # path relative to the corpus folder, with "/" separators
    text: str  # the decoded file text; chunk and citation offsets index into it
    sha256: str  # of the raw file bytes


@dataclass(frozen=True, slots=True)
class Chunk:
    """A run of whole sentences of one document: ``document.text[start:end] == text``."""

    chunk_id: str  # derived from source, offsets and text: stable across rebuilds
    source: str
    text: str
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Hit:
    """A chunk returned by retrieval, with its fused score (higher is better)."""

    chunk_id: str
    source: str
    text: str
    start: int
    end: int
    score: float

    @classmethod
    def from_chunk(cls, chunk: Chunk, score: float) -> Hit:
        return cls(chunk.chunk_id, chunk.source, chunk.text, chunk.start, chunk.end, score)


@dataclass(frozen=True, slots=True)
class IndexReport:
    """What an index build did, file by file."""

    added: tuple[str, ...]
    updated: tuple[str, ...]
    removed: tuple[str, ...]
    unchanged: tuple[str, ...]
    warnings: tuple[str, ...]  # files skipped or decoded with replacement, with the reason
    chunks: int
    embedded_chunks: int  # how many chunks were embedded in this run
    seconds: float

    @property
    def changed(self) -> bool:
        return bool(self.added or self.updated or self.removed)

    def summary(self) -> str:
        return (
            f"added {len(self.added)}, updated {len(self.updated)}, "
            f"removed {len(self.removed)}, unchanged {len(self.unchanged)}; "
            f"{self.chunks} chunks ({self.embedded_chunks} embedded) in {self.seconds:.1f}s"
        )
