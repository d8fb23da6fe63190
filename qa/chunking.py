"""Sentence-aware chunking with exact character offsets and stable ids.

Sentences come from NLTK's trained English Punkt model (shipped inside llama-index-core, so it
works offline), run line by line: a sentence never crosses a line break. Whole sentences are then
packed into chunks of at most ``chunk_size`` tokens, and consecutive chunks share up to
``chunk_overlap`` tokens of whole sentences. A chunk's text is always the exact slice
``document.text[start:end]``.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import re
from collections.abc import Callable, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

from qa.types import Chunk, Document

Span = tuple[int, int]
TokenCounter = Callable[[str], int]

_LINE = re.compile(r"[^\n]+")
_WORD = re.compile(r"\S+")
_INITIALISM_END = re.compile(r"(?:^|\s)(?:[A-Z]\.){2,}$")
# A word that opens a sentence and never goes on a name after an initialism: "... with the U.S. On what
# did Qureshi say ...?" is two sentences, "U.S. Under Secretary David Hale" one.
_OPENER = (
    r"(?:As|On|In|At|By|For|From|With|What|Which|Who|Whom|Whose|When|Where|Why|How|According|The|This|These|"
    r"Those|It|He|She|They|We|But|And|Did|Does|Do|Is|Was|Are|Were|Has|Had)\b"
)
_OPENS_SENTENCE = re.compile(_OPENER)
_INITIALISM_BEFORE_OPENER = re.compile(r"(?<!\S)(?:[A-Z]\.){2,}(?=\s+" + _OPENER + ")")


def _llama_index_static() -> Path:
    """llama-index-core ships NLTK's Punkt data and tiktoken's cl100k table here. Found without
    importing llama_index.core, which takes seconds."""
    spec = importlib.util.find_spec("llama_index.core")
    if spec is None or spec.origin is None:
        raise RuntimeError("llama-index-core is not installed")
    return Path(spec.origin).parent / "_static"


@lru_cache(maxsize=1)
def _punkt() -> Any:
    import nltk
    from nltk.tokenize.punkt import PunktTokenizer

    bundled = str(_llama_index_static() / "nltk_cache")
    if bundled not in nltk.data.path:
        nltk.data.path.append(bundled)
    return PunktTokenizer("english")


@lru_cache(maxsize=1)
def default_token_counter() -> TokenCounter:
    """Counts tokens as llama-index's splitters do: tiktoken's cl100k_base, from the bundled table."""
    os.environ.setdefault("TIKTOKEN_CACHE_DIR", str(_llama_index_static() / "tiktoken_cache"))
    import tiktoken

    encode = tiktoken.get_encoding("cl100k_base").encode
    return lambda text: len(encode(text, disallowed_special=()))


def sentence_spans(text: str) -> list[Span]:
    """Character spans of the sentences of ``text``, in order, without surrounding white space."""
    tokenizer = _punkt()
    spans: list[Span] = []
    for line in _LINE.finditer(text):
        if not line.group().strip():
            continue
        base, body = line.start(), line.group()
        merge = False
        for s, e in tokenizer.span_tokenize(body):
            piece = body[s:e]
            s, e = s + len(piece) - len(piece.lstrip()), e - len(piece) + len(piece.rstrip())
            if s >= e:
                continue
            if merge and not _OPENS_SENTENCE.match(body, s):  # Punkt ends one at "U.S. Under Secretary"
                spans[-1] = (spans[-1][0], base + e)
            else:
                spans.append((base + s, base + e))
            merge = bool(_INITIALISM_END.search(body, 0, e))
    return [part for span in spans for part in _split_after_initialisms(text, span)]


def _split_after_initialisms(text: str, span: Span) -> list[Span]:
    """``span`` split after each initialism followed by a word that opens a sentence (Punkt reads "U.S.
    On" as one sentence)."""
    start, end = span
    parts: list[Span] = []
    for match in _INITIALISM_BEFORE_OPENER.finditer(text, start, end):
        parts.append((start, match.end()))
        start = match.end() + len(text[match.end() : end]) - len(text[match.end() : end].lstrip())
    return [*parts, (start, end)]


def chunk_id(source: str, start: int, end: int, text: str) -> str:
    """An id derived from the file, the position and the content: two builds of one corpus agree."""
    digest = hashlib.sha256(f"{source}\x00{start}\x00{end}\x00{text}".encode()).hexdigest()
    return digest[:16]


def _split_long(text: str, span: Span, limit: int, count: TokenCounter) -> list[Span]:
    """Cuts a span longer than ``limit`` tokens at white space into pieces of at most ``limit``."""
    pieces: list[Span] = []
    piece_start, piece_end, used = -1, -1, 0
    for word in _WORD.finditer(text, span[0], span[1]):
        tokens = count(word.group()) + (1 if used else 0)
        if used and used + tokens > limit:
            pieces.append((piece_start, piece_end))
            piece_start, used = -1, 0
            tokens = count(word.group())
        if piece_start < 0:
            piece_start = word.start()
        piece_end, used = word.end(), used + tokens
    if piece_start >= 0:
        pieces.append((piece_start, piece_end))
    return pieces


def pack(
    spans: Sequence[Span],
    tokens: Sequence[int],
    chunk_size: int,
    chunk_overlap: int,
    starts_line: Sequence[bool] | None = None,
) -> list[Span]:
    """Groups consecutive sentence spans into chunk spans of at most ``chunk_size`` tokens (a single
    sentence may exceed it). A line (paragraph) that fits whole into the next chunk is not split
    across two. Within a paragraph, a chunk starts with up to ``chunk_overlap`` tokens of the last
    sentences of the chunk before. Every chunk begins after the one before."""
    n = len(spans)
    if n == 0:
        return []
    starts_line = starts_line if starts_line is not None else [True] + [False] * (n - 1)
    paragraph_tokens = [0] * n  # at a paragraph's first sentence: the tokens of the whole paragraph
    first = 0
    for j in range(n + 1):
        if j == n or (j > 0 and starts_line[j]):
            paragraph_tokens[first] = sum(tokens[first:j])
            first = j
    chunks: list[Span] = []
    i = 0
    while i < n:
        j, total = i, 0
        while j < n:
            if j > i and total + (paragraph_tokens[j] if starts_line[j] else tokens[j]) > chunk_size:
                break
            total += tokens[j]
            j += 1
        chunks.append((spans[i][0], spans[j - 1][1]))
        if j == n:
            break
        k, shared = j, 0
        while k - 1 > i and not starts_line[k] and shared + tokens[k - 1] <= chunk_overlap:
            shared += tokens[k - 1]
            k -= 1
        i = k
    return chunks


def chunk_document(
    document: Document,
    chunk_size: int,
    chunk_overlap: int,
    count_tokens: TokenCounter | None = None,
) -> list[Chunk]:
    count = count_tokens or default_token_counter()
    text = document.text
    spans: list[Span] = []
    for span in sentence_spans(text):
        spans.extend(
            _split_long(text, span, chunk_size, count) if count(text[span[0] : span[1]]) > chunk_size else [span]
        )
    tokens = [count(text[s:e]) for s, e in spans]
    starts_line = [i == 0 or "\n" in text[spans[i - 1][1] : s] for i, (s, _) in enumerate(spans)]
    return [
        Chunk(chunk_id(document.source, s, e, text[s:e]), document.source, text[s:e], s, e)
        for s, e in pack(spans, tokens, chunk_size, chunk_overlap, starts_line)
    ]
