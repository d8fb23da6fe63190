from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from qa.chunking import chunk_document, chunk_id, pack, sentence_spans
from qa.types import Document
from tests.conftest import SEEDS

WORDS = st.sampled_from(
    ["Pakistan", "India", "U.S.", "1.6", "talks", "said", "the", "Kashmir", "ceasefire", "“quoted”"]
)
SENTENCE = st.builds(
    lambda ws, stop: " ".join(ws) + stop, st.lists(WORDS, min_size=1, max_size=30), st.sampled_from(".?!")
)
SEPARATORS = st.sampled_from([" ", "  ", "\n", "\n\n", "\r\n", " \n \n"])


@st.composite
def article(draw: st.DrawFn) -> str:
    parts = draw(st.lists(st.tuples(SENTENCE, SEPARATORS), min_size=0, max_size=40))
    lead = draw(st.sampled_from(["", " ", "\n\n", "\t"]))
    return lead + "".join(s + sep for s, sep in parts)


def words(text: str) -> int:
    return len(text.split())


@settings(max_examples=150, deadline=None)
@given(text=article(), size=st.integers(16, 80), overlap_share=st.floats(0, 0.9))
def test_every_chunk_is_the_exact_slice_of_its_file(text: str, size: int, overlap_share: float) -> None:
    overlap = int(size * overlap_share)
    chunks = chunk_document(Document("a.txt", text, "x"), size, overlap, count_tokens=words)
    for chunk in chunks:
        assert text[chunk.start : chunk.end] == chunk.text
        assert chunk.text == chunk.text.strip() and chunk.text
    starts = [c.start for c in chunks]
    assert starts == sorted(set(starts))  # each chunk begins after the one before
    covered = set()
    for chunk in chunks:
        covered.update(range(chunk.start, chunk.end))
    assert all(i in covered for i, ch in enumerate(text) if not ch.isspace())


@settings(max_examples=100, deadline=None)
@given(text=article(), size=st.integers(16, 80))
def test_chunks_stay_within_size_unless_one_sentence_is_longer(text: str, size: int) -> None:
    for chunk in chunk_document(Document("a.txt", text, "x"), size, size // 4, count_tokens=words):
        assert words(chunk.text) <= size


def test_a_sentence_longer_than_a_chunk_is_cut_at_white_space() -> None:
    text = " ".join(f"w{i}" for i in range(50)) + "."
    chunks = chunk_document(Document("a.txt", text, "x"), 20, 0, count_tokens=words)
    assert [words(c.text) for c in chunks] == [20, 20, 10]
    assert " ".join(c.text for c in chunks) == text


def test_pack_overlaps_by_whole_sentences() -> None:
    spans = [(0, 10), (11, 20), (21, 30), (31, 40)]
    assert pack(spans, [5, 5, 5, 5], chunk_size=10, chunk_overlap=5) == [(0, 20), (11, 30), (21, 40)]
    assert pack(spans, [5, 5, 5, 5], chunk_size=10, chunk_overlap=0) == [(0, 20), (21, 40)]


def test_pack_keeps_a_paragraph_whole_when_it_fits_the_next_chunk() -> None:
    spans = [(0, 10), (11, 20), (21, 30), (31, 40)]
    # Paragraphs: [0], [1, 2], [3]. The second does not fit beside the first, so it starts a chunk.
    starts = [True, True, False, True]
    assert pack(spans, [4, 4, 4, 4], chunk_size=10, chunk_overlap=4, starts_line=starts) == [
        (0, 10),
        (11, 30),
        (31, 40),
    ]
    # No overlap is carried across a paragraph break.
    assert pack(spans, [4, 4, 4, 4], chunk_size=12, chunk_overlap=4, starts_line=starts) == [(0, 30), (31, 40)]


@pytest.mark.parametrize(
    ("text", "sentences"),
    [
        (  # abbreviations and decimals are kept; a sentence never crosses a line
            "Lavrov met Mr. Qureshi. The pipeline moves 1.6 billion cubic feet.\nHeadline without a stop\nNext.",
            [
                "Lavrov met Mr. Qureshi.",
                "The pipeline moves 1.6 billion cubic feet.",
                "Headline without a stop",
                "Next.",
            ],
        ),
        (  # an initialism ends a sentence only before a word that opens one
            "Pakistan wants ties with the U.S. On what did Qureshi say? U.S. Under Secretary David Hale spoke.",
            ["Pakistan wants ties with the U.S.", "On what did Qureshi say?", "U.S. Under Secretary David Hale spoke."],
        ),
    ],
)
def test_sentences(text: str, sentences: list[str]) -> None:
    assert [text[s:e] for s, e in sentence_spans(text)] == sentences


def test_ids_depend_on_file_position_and_text_only() -> None:
    text = (SEEDS / "000_bb0f77902b53b706.txt").read_text(encoding="utf-8")
    first = chunk_document(Document("000.txt", text, "x"), 128, 32)
    again = chunk_document(Document("000.txt", text, "y"), 128, 32)
    assert [c.chunk_id for c in first] == [c.chunk_id for c in again]
    assert len({c.chunk_id for c in first}) == len(first)
    assert chunk_id("a.txt", 0, 5, "Hello") != chunk_id("b.txt", 0, 5, "Hello")
    assert chunk_id("a.txt", 0, 5, "Hello") == chunk_id("a.txt", 0, 5, "Hello")
