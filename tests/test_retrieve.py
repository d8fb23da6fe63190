from __future__ import annotations

from pathlib import Path

import pytest

from qa.config import Settings
from qa.index import build_index
from qa.retrieve import Retriever, get_retriever, retrieve, rrf
from tests.conftest import index_with_fake_embedder
from tests.fakes import HashEmbedder


def test_rrf_adds_weighted_reciprocal_ranks() -> None:
    dense = [(7, 0.9), (3, 0.8)]
    sparse = [(3, 12.0), (5, 4.0)]
    fused = rrf([(dense, 1.0), (sparse, 0.5)], rrf_k=10)
    assert [row for row, _ in fused] == [3, 7, 5]
    assert fused[0][1] == pytest.approx(1 / 12 + 0.5 / 11)
    assert fused[1][1] == pytest.approx(1 / 11)


@pytest.fixture
def fake_retriever(corpus: Path, settings: Settings) -> Retriever:
    build_index(corpus, settings.index_dir, settings=settings, embedder=HashEmbedder())
    return Retriever.open(settings.index_dir, settings, HashEmbedder())


def test_hits_point_back_into_their_files(fake_retriever: Retriever, corpus: Path) -> None:
    hits = fake_retriever.search("Sputnik-V vaccine doses", k=5)
    assert len(hits) == 5
    assert hits[0].source == "004_07e1443d25d1940b.txt"
    for hit in hits:
        text = (corpus / hit.source).read_text(encoding="utf-8")
        assert text[hit.start : hit.end] == hit.text
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)


@pytest.mark.parametrize("question", ["", "   ", "\n\t"])
def test_blank_question_is_a_value_error(fake_retriever: Retriever, question: str) -> None:
    with pytest.raises(ValueError, match="question is blank"):
        fake_retriever.search(question)


def test_very_long_question_is_cut_not_crashed_on(fake_retriever: Retriever) -> None:
    hits = fake_retriever.search("What did Pakistan offer India? " * 20_000, k=3)
    assert len(hits) == 3


def test_k_larger_than_the_index_returns_every_chunk_once(fake_retriever: Retriever) -> None:
    hits = fake_retriever.search("Kashmir", k=10_000)
    assert len(hits) == len({h.chunk_id for h in hits}) == len(fake_retriever.index)


def test_bad_k_is_a_value_error(fake_retriever: Retriever) -> None:
    with pytest.raises(ValueError, match=r"k must be greater than 0\. Currently, k is 0"):
        fake_retriever.search("Kashmir", k=0)


# ------------------------------------------------------------------ real embedder on the seed articles

SEED_QUESTIONS = [
    ("How many new COVID cases did the Indian health ministry record in 24 hours?", "000_bb0f77902b53b706.txt"),
    ("What medical equipment did Pakistan offer to send to India?", "000_bb0f77902b53b706.txt"),
    ("Who did Foreign Secretary Sohail Mahmood speak with on the virtual call?", "001_a6f6af1ea4f89335.txt"),
    (
        "Which ceasefire understanding from 2003 did the Foreign Office spokesperson mention?",
        "002_a84510b569571809.txt",
    ),
    ("Why is the Financial Action Task Force pressuring Pakistan?", "002_a84510b569571809.txt"),
    ("How many tourists were killed in the Pahalgam attack?", "003_846f8b5f639282ae.txt"),
    ("What did Shehbaz Sharif tell Antonio Guterres?", "003_846f8b5f639282ae.txt"),
    ("How many doses of the Sputnik-V vaccine will Pakistan buy?", "004_07e1443d25d1940b.txt"),
    ("How much gas will the Pakistan Stream pipeline carry from Karachi to Lahore?", "004_07e1443d25d1940b.txt"),
]


@pytest.fixture(scope="module")
def seeds_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from tests.conftest import SEEDS

    index_dir = tmp_path_factory.mktemp("seeds-index")
    build_index(SEEDS, index_dir, settings=Settings(corpus_dir=SEEDS, index_dir=index_dir))
    return index_dir


@pytest.mark.real
@pytest.mark.parametrize(("question", "source"), SEED_QUESTIONS)
def test_real_retrieval_finds_the_right_article_first(seeds_index: Path, question: str, source: str) -> None:
    hits = retrieve(question, k=5, index_dir=seeds_index)
    assert hits[0].source == source


@pytest.mark.real
def test_real_retrieve_rejects_a_blank_question(seeds_index: Path) -> None:
    with pytest.raises(ValueError, match="question is blank"):
        retrieve("  ", index_dir=seeds_index)


def test_convex_fusion_sums_weighted_min_max_normalised_scores() -> None:
    from qa.retrieve import convex

    dense = [(7, 0.9), (3, 0.5), (1, 0.1)]
    sparse = [(3, 12.0), (5, 2.0)]
    fused = convex([(dense, 0.5), (sparse, 0.5)])
    assert fused == [(3, pytest.approx(0.75)), (7, pytest.approx(0.5)), (1, 0.0), (5, 0.0)]


def test_the_loaded_index_is_searched_with_the_search_settings_given(corpus: Path, settings: Settings) -> None:
    index_with_fake_embedder(settings)
    loaded = get_retriever(settings.index_dir, settings)
    dense_only = get_retriever(settings.index_dir, settings.with_(bm25_weight=0.0))
    assert dense_only.settings.bm25_weight == 0.0 and loaded.settings.bm25_weight == 0.5
    assert dense_only.index is loaded.index and dense_only.embedder is loaded.embedder  # nothing reloaded
    assert get_retriever(settings.index_dir, settings.with_(answer_backend="extractive")) is loaded
    question = "How many doses of Sputnik-V will Pakistan buy?"
    ids = [[h.chunk_id for h in hits] for hits in (dense_only.search(question, 3), loaded.search(question, 3, "dense"))]
    assert ids[0] == ids[1]
