"""Question answering over a folder of news articles, with citations.

The public API: ``build_index`` and ``retrieve`` (and, in later modules, ``ask``)."""

from qa.config import Settings
from qa.errors import CorpusError, IndexLoadError
from qa.index import build_index
from qa.retrieve import retrieve
from qa.types import Chunk, Document, Hit, IndexReport

__all__ = [
    "Chunk",
    "CorpusError",
    "Document",
    "Hit",
    "IndexLoadError",
    "IndexReport",
    "Settings",
    "build_index",
    "retrieve",
]
