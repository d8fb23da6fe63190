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


@dataclass(frozen=True, slots=True)
class Citation:
    """A ``[marker]`` in an answer, resolved to the sentence(s) of the file that support it."""

    marker: int  # n in "[n]"
    source: str  # file path relative to the corpus folder
    quote: str  # verbatim from the file: file_text[start:end] == quote
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Timings:
    """Seconds spent in each stage of one answer."""

    rewrite: float = 0.0  # turning a follow-up into a standalone question
    retrieval: float = 0.0  # search and evidence selection
    prompt: float = 0.0  # the model reading the prompt (until its first token)
    first_token: float = 0.0  # from the call until the first character of answer text
    generation: float = 0.0  # from the model's first token to its last
    total: float = 0.0


@dataclass(frozen=True, slots=True)
class Turn:
    """An earlier exchange of a conversation: the question and the answer shown ("" when none was)."""

    question: str
    answer: str = ""


@dataclass(frozen=True, slots=True)
class Answer:
    question: str  # as the user asked it
    text: str  # with inline [n] markers; every marker is one of the citations
    citations: tuple[Citation, ...]
    abstained: bool  # True when the articles do not say; text then says so plainly
    hits: tuple[Hit, ...]
    timings: Timings
    search_question: str = ""  # the standalone question used for retrieval (differs for follow-ups)
    model: str = ""
    reason: str = ""  # why it abstained, or "" when it answered
    draft: str = ""  # the model's own answer before the checks ("" without a model)
