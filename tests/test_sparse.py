from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from qa.sparse import SparseIndex, combine, tokenize
from tests.conftest import SEEDS

DOCS = [
    "The cat sat on the mat.",
    "Dogs and cats are pets; the dog barked at the cat.",
    "Stock markets fell sharply on Monday.",
    "A cat, a cat, a cat: three cats.",
]


def test_tokens_are_stemmed_without_stopwords() -> None:
    assert tokenize(["The cats were sitting on the mats."]) == [["cat", "were", "sit", "mat"]]


def test_scores_are_bm25_lucene_with_exact_values() -> None:
    index = SparseIndex.from_texts(DOCS)
    tokens = tokenize(DOCS)
    lengths = np.array([len(t) for t in tokens], dtype=np.float32)
    tf = np.array([t.count("cat") for t in tokens], dtype=np.float32)
    assert tf.tolist() == [1, 2, 0, 4]
    idf = np.log(1 + (4 - 3 + 0.5) / (3 + 0.5))  # "cat" is in 3 of the 4 docs
    expected = idf * tf / (1.5 * (0.25 + 0.75 * lengths / lengths.mean()) + tf)
    ranking = index.search(["cats"], n=10)[0]
    assert [row for row, _ in ranking] == [3, 1, 0]
    assert [score for _, score in ranking] == pytest.approx([expected[3], expected[1], expected[0]], rel=1e-6)


def test_a_query_without_known_terms_finds_nothing() -> None:
    index = SparseIndex.from_texts(DOCS)
    assert index.search(["the of and", "quantum chromodynamics"], n=5) == [[], []]


def test_n_caps_the_results_and_ties_go_by_row() -> None:
    index = SparseIndex.from_texts(["apple pie", "apple tart", "apple cake", "pear"])
    assert [row for row, _ in index.search(["apple"], n=2)[0]] == [0, 1]


def seed_texts() -> list[str]:
    return [p.read_text(encoding="utf-8") for p in sorted(SEEDS.iterdir())]


@pytest.mark.parametrize("query", ["Sputnik-V vaccine doses", "ceasefire understanding 2003", "oxygen India Pakistan"])
def test_scores_match_bm25s_the_reference(query: str) -> None:
    import bm25s

    paragraphs = [line for text in seed_texts() for line in text.splitlines() if line.strip()]
    reference = bm25s.BM25()
    reference.index(tokenize(paragraphs), show_progress=False)
    rows, scores = reference.retrieve(tokenize([query]), k=len(paragraphs), show_progress=False)
    expected = {int(r): float(s) for r, s in zip(rows[0], scores[0], strict=True) if s > 0}
    ours = dict(SparseIndex.from_texts(paragraphs).search([query], n=len(paragraphs))[0])
    assert len(expected) >= 5
    assert ours.keys() == expected.keys()
    assert [ours[r] for r in expected] == pytest.approx(list(expected.values()), rel=1e-5)


def test_combining_keeps_rows_adds_new_texts_and_equals_a_fresh_build() -> None:
    previous = SparseIndex.from_texts(DOCS)
    combined = combine(previous, ["Bond markets rose.", "A new cat arrived."], order=[5, 0, 3, 4])
    fresh = SparseIndex.from_texts(["A new cat arrived.", DOCS[0], DOCS[3], "Bond markets rose."])
    for query in ["cat", "markets", "bond cat arrived", "dog"]:
        assert combined.search([query], 10) == fresh.search([query], 10)
    assert "dog" not in combined.ids  # terms of dropped rows go


def test_save_and_load_round_trip(tmp_path: Path) -> None:
    index = SparseIndex.from_texts(DOCS)
    index.save(tmp_path / "sparse")
    loaded = SparseIndex.load(tmp_path / "sparse")
    assert loaded.vocab == index.vocab
    assert loaded.search(["cat markets"], 10) == index.search(["cat markets"], 10)
