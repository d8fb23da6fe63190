from __future__ import annotations

from pathlib import Path

from qa.config import Settings
from qa.web import answer_stream, status
from tests.conftest import index_with_fake_embedder


def test_the_page_streams_an_answer_with_its_citations_and_shows_errors_as_text(
    corpus: Path, settings: Settings
) -> None:
    index_with_fake_embedder(settings)
    extractive = settings.with_(answer_backend="extractive")
    pages = list(answer_stream("How many doses of the Sputnik-V vaccine will Pakistan buy?", extractive))
    assert "5 million doses" in pages[0]
    assert "<b>004_07e1443d25d1940b.txt</b>" in pages[-1] and "<blockquote>" in pages[-1]
    assert list(answer_stream("   ", extractive)) == [
        "<p class='error'>question is blank: ask something about the articles</p>"
    ]
    assert "<b>5 articles</b>" in status(settings)
