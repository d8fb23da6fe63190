"""Question answering over a folder of news articles, with citations.

The public API: ``build_index``, ``retrieve``, and ``ask`` / ``ask_stream`` (an ``Answer`` with its
``Citation``s; a follow-up's ``history`` is earlier questions or ``Turn``s)."""

from qa.ask import ask, ask_stream  # binds qa.ask to the function, not the module of that name
from qa.config import Settings
from qa.errors import CorpusError, IndexLoadError
from qa.index import build_index
from qa.retrieve import retrieve
from qa.types import Answer, Chunk, Citation, Document, Hit, IndexReport, Turn

__all__ = [
    "Answer",
    "Chunk",
    "Citation",
    "CorpusError",
    "Document",
    "Hit",
    "IndexLoadError",
    "IndexReport",
    "Settings",
    "Turn",
    "ask",
    "ask_stream",
    "build_index",
    "retrieve",
]
