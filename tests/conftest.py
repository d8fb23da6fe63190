from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from qa.config import Settings
from qa.index import build_index
from qa.retrieve import get_retriever
from tests.fakes import HashEmbedder

REPO = Path(__file__).resolve().parent.parent
SEEDS = REPO / "seeds"

# A seed question, and the sentence of seeds/004_07e1443d25d1940b.txt that answers it.
VACCINE = "How many doses of the Sputnik-V vaccine will Pakistan buy?"
BUY = (
    "Qureshi said Islamabad will also buy 5 million doses of the vaccine and expressed a desire to eventually "
    "manufacture it in Pakistan."
)


@pytest.fixture
def embedder() -> HashEmbedder:
    return HashEmbedder()


@pytest.fixture
def settings(tmp_path: Path, embedder: HashEmbedder) -> Settings:
    """Settings for a corpus and an index in a temporary folder, with the fake embedder's name."""
    return Settings(
        corpus_dir=tmp_path / "corpus",
        index_dir=tmp_path / "index",
        cache_dir=tmp_path / "cache",
        embedder=embedder.name,
    )


@pytest.fixture
def corpus(settings: Settings) -> Path:
    """A copy of the five seed articles."""
    shutil.copytree(SEEDS, settings.corpus_dir)
    return settings.corpus_dir


def index_with_fake_embedder(settings: Settings) -> None:
    """Indexes ``settings.corpus_dir`` with the fake embedder and makes ``ask()`` search it so."""
    build_index(settings.corpus_dir, settings.index_dir, settings=settings, embedder=HashEmbedder())
    get_retriever(settings.index_dir, settings, embedder=HashEmbedder())
