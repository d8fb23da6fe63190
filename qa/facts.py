"""What the checks of a draft need of the whole index (each file's text, chunks and term weights),
computed once per index version, and the look-ups over it: which of a question's names an article
never mentions."""

from __future__ import annotations

import threading
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from qa.evidence import Evidence, idf_table, missing_key_terms
from qa.naming import article_text
from qa.retrieve import Retriever
from qa.types import Chunk


@dataclass(frozen=True, slots=True)
class CorpusFacts:
    """What the checks need of the whole index, computed once per index version."""

    idf: dict[str, float]  # of each content term over the chunks
    texts: dict[str, str]  # each file's indexed text (its chunks joined), by source
    chunks: dict[str, tuple[Chunk, ...]]  # each file's chunks, by source
    articles: dict[str, str]  # each file's text rebuilt from its chunks, at the file's offsets


_facts_lock = threading.Lock()
_facts: dict[Path, CorpusFacts] = {}


def facts_for(retriever: Retriever) -> CorpusFacts:
    with _facts_lock:
        if retriever.index.path not in _facts:
            chunks = retriever.index.chunks
            by_source: dict[str, list[Chunk]] = {}
            for chunk in chunks:
                by_source.setdefault(chunk.source, []).append(chunk)
            joined = {source: "\n".join(c.text for c in parts) for source, parts in by_source.items()}
            for old in [path for path in _facts if path.parent == retriever.index.path.parent]:
                del _facts[old]  # an index folder's older versions (a web page's uploads) are let go
            grouped = {source: tuple(parts) for source, parts in by_source.items()}
            articles = {source: article_text(parts) for source, parts in grouped.items()}
            _facts[retriever.index.path] = CorpusFacts(idf_table([c.text for c in chunks]), joined, grouped, articles)
        return _facts[retriever.index.path]


def names_missing_from(question: str, sources: Iterable[str], texts: dict[str, str]) -> set[str]:
    """The question's names and numbers that none of the files ``sources`` mentions: an answer drawn
    from an article that never speaks of what was asked ("deaths in the Balakot strikes" answered from
    an article without Balakot) is not an answer to it."""
    files = [Evidence(0, s, texts[s], 0, 0, 0.0) for s in set(sources) if s in texts]
    return missing_key_terms(question, files)


def names_all(question: str, names: set[str], source: str, texts: dict[str, str]) -> bool:
    """Whether the file ``source`` mentions every one of the question's ``names``."""
    return not names_missing_from(question, [source], texts) & names
