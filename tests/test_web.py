"""The page's logic without a browser: rendering, the chat, uploads and the article view, over the
seed articles indexed with the fake embedder. The real page in a real browser is tests/test_browser.py."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from qa.answer import REWRITE_PROMPT
from qa.config import Settings
from qa.index import read_manifest
from qa.types import Answer, Citation, Timings, Turn
from qa.web import (
    MAX_ARTICLE_BYTES,
    ArticleNotFound,
    Conversation,
    UploadError,
    add_articles,
    article_href,
    article_name,
    article_text,
    examples_for,
    read_article,
    render_answer,
    render_article,
    render_status,
    reply,
    upload,
)
from tests.conftest import BUY, VACCINE, index_with_fake_embedder
from tests.fakes import ScriptedGenerator, json_reply, numbered_sentences

RUSSIA = "004_07e1443d25d1940b.txt"
BRIDGE = (
    "Gilgit bridge reopens\n\nThe Karakoram Highway bridge at Gilgit reopened on Monday after repairs "
    "that cost 45 million rupees, the district engineer Farah Qadir said.\n"
)


@pytest.fixture
def settings(corpus: Path, settings: Settings) -> Settings:
    """The seed articles indexed with the fake embedder; answers extractive unless a generator is given."""
    index_with_fake_embedder(settings)
    return settings.with_(answer_backend="extractive")


def answer(text: str, citations: tuple[Citation, ...], **fields: object) -> Answer:
    return Answer("q?", text, citations, False, (), Timings(first_token=1.25, total=2.5), model="m", **fields)  # type: ignore[arg-type]


# ------------------------------------------------------------------------------------ rendering


def test_an_answer_links_its_markers_and_lists_each_source_with_its_quote() -> None:
    cited = Citation(1, "a b.txt", "Pakistan <will>\n buy.", 10, 30)
    html = render_answer(answer("They buy <5> [1] and [7].", (cited,)))
    link = 'href="article?source=a+b.txt&amp;start=10&amp;end=30" target="_blank" rel="noopener"'
    assert html == (
        f'<div class="qa-answer"><p>They buy &lt;5&gt; <a class="qa-marker" {link}>[1]</a> and [7].</p>'
        f'<div class="qa-sources"><b>Sources</b><ol><li value="1"><a class="qa-source" {link}>a b.txt</a> '
        '<span class="qa-quote">“Pakistan &lt;will&gt; buy.”</span></li></ol></div>'
        '<p class="qa-timing">m · first words 1.2 s · total 2.5 s</p></div>'
    )
    assert "\n\n" not in render_answer(answer("Line one.\n\nLine two [1].", (cited,)))


def test_an_answer_that_replaced_the_model_draft_says_so() -> None:
    cited = Citation(1, "a.txt", "Five.", 0, 5)
    assert "qa-note" in render_answer(answer("Five. [1]", (cited,), draft="Six."))
    assert "qa-note" not in render_answer(answer("Five [1]", (cited,), draft="Five"))


def test_an_abstention_looks_different_and_gives_its_reason() -> None:
    abstained = Answer("q?", "The articles don't say.", (), True, (), Timings(), reason="no passage names X")
    assert render_answer(abstained) == (
        '<div class="qa-abstain"><p><span class="qa-abstain-mark">∅</span> The articles don\'t say.</p>'
        '<p class="qa-reason">no passage names X</p></div>'
    )


def test_the_article_view_marks_the_cited_characters() -> None:
    page = render_article("x.txt", "One. <Two> three.", 5, 10)
    assert 'One. <mark id="cited">&lt;Two&gt;</mark> three.</article>' in page
    assert '<mark id="cited">three.</mark></article>' in render_article("x.txt", "One. three.", 5, 99)


def test_the_side_panel_lists_the_articles_and_the_models(settings: Settings) -> None:
    status = render_status(settings)
    assert "<b>5 articles indexed</b>" in status
    assert f"<li>{RUSSIA}</li>" in status
    assert "embeddings: hash-bag-of-words<br>answers: none: the best matching sentence" in status
    assert "<b>No index yet.</b>" in render_status(settings.with_(index_dir=settings.index_dir / "none"))
    assert examples_for([RUSSIA, "other.txt"]) == ["Which Russian foreign minister visited Islamabad?"]


# ---------------------------------------------------------------------------------- the chat


def test_the_chat_streams_then_shows_the_checked_answer_with_its_source(settings: Settings) -> None:
    states = list(reply(VACCINE, Conversation(), settings))
    assert states[0].chat() == [
        {"role": "user", "content": VACCINE},
        {
            "role": "assistant",
            "content": '<div class="qa-answer qa-writing"><p>…</p><p class="qa-timing">writing…</p></div>',
        },
    ]
    final = states[-1]
    assert final.turns == (Turn(VACCINE, f"{BUY}"),)
    assert len(final.messages) == 2
    shown = final.messages[1][1]
    assert f'<p>{BUY} <a class="qa-marker"' in shown
    assert f'<a class="qa-source" href="{article_href(RUSSIA, 10114, 10246).replace("&", "&amp;")}"' in shown


def test_a_follow_up_passes_the_earlier_questions_and_answers_to_the_answerer(settings: Settings) -> None:
    def model(system: str, user: str) -> str:
        if system == REWRITE_PROMPT:
            return "How many Sputnik-V doses will Pakistan buy?"
        number = next(n for n, text in numbered_sentences(user).items() if "5 million" in text)
        return json_reply([number], True, "5 million doses")

    generator = ScriptedGenerator(model)
    first = list(reply("Which Russian foreign minister visited Islamabad?", Conversation(), settings))[-1]
    (earlier,) = first.turns
    assert earlier.question == "Which Russian foreign minister visited Islamabad?"
    assert "Sergey Lavrov" in earlier.answer and "[1]" not in earlier.answer  # shown answer, markers left out
    second = list(reply("And how many doses will they buy?", first, settings, generator=generator))[-1]
    rewrite = [user for system, user, _ in generator.calls if system == REWRITE_PROMPT]
    assert rewrite == [
        f"Earlier questions:\n- Which Russian foreign minister visited Islamabad? (answer: {earlier.answer})\n\n"
        "Last question: And how many doses will they buy?"
    ]
    assert second.turns == (earlier, Turn("And how many doses will they buy?", "5 million doses"))
    assert [role for role, _ in second.messages] == ["user", "assistant", "user", "assistant"]
    assert '<p>5 million doses <a class="qa-marker"' in second.messages[3][1]


def test_errors_become_readable_messages_in_the_chat(settings: Settings) -> None:
    too_long = list(reply("why " * 300, Conversation(), settings))[-1]
    assert too_long.messages[-1][1].startswith('<div class="qa-error"><p>⚠ question is too long (1199 characters')
    assert too_long.turns == ()
    no_index = settings.with_(index_dir=settings.index_dir.parent / "missing")
    missing = list(reply(VACCINE, Conversation(), no_index))[-1]
    assert "no index at" in missing.messages[-1][1] and "Traceback" not in missing.messages[-1][1]

    def broken(system: str, user: str) -> str:
        raise RuntimeError("the model crashed")

    failed = list(reply(VACCINE, Conversation(), settings, generator=ScriptedGenerator(broken)))[-1]
    assert failed.messages[-1][1] == (
        '<div class="qa-error"><p>⚠ the answer failed (RuntimeError: the model crashed); try again</p></div>'
    )


# ------------------------------------------------------------------------------------- uploads


@pytest.mark.parametrize(
    "name",
    [
        "../evil.txt",
        "a/b.txt",
        "a\\b.txt",
        ".hidden.txt",
        "notes.pdf",
        "notes",
        "x.txt ",
        " x.txt",
        "",
        "x..txt",
        "x\x00.txt",
        "\uff46\uff55\uff4c\uff4c\uff0fwidth.txt",
        "_x.txt",
        "-x.md",
        "x" * 200 + ".txt",
    ],
)
def test_an_upload_name_that_is_not_a_plain_article_name_is_refused(name: str) -> None:
    with pytest.raises(UploadError, match=r"is not a (plain file name|\.txt or \.md file)"):
        article_name(name)


@pytest.mark.parametrize("name", ["news.txt", "News 2021 (1).MD", "café-report_v2.md"])
def test_plain_article_names_are_accepted(name: str) -> None:
    assert article_name(name) == name


@given(st.text(max_size=40))
def test_an_accepted_upload_name_always_stays_inside_the_corpus_folder(name: str) -> None:
    corpus = Path("/srv/corpus")
    try:
        accepted = article_name(name)
    except UploadError:
        return
    assert (corpus / accepted).resolve().parent == corpus
    assert not accepted.startswith(".") and "/" not in accepted and "\\" not in accepted


def test_upload_contents_are_checked() -> None:
    assert article_text("a.txt", b"\xef\xbb\xbfHello.") == "Hello."
    for data, reason in [
        (b" \n", "a.txt is empty"),
        (
            b"x" * (MAX_ARTICLE_BYTES + 1),
            f"a.txt is {MAX_ARTICLE_BYTES + 1:,} bytes; the limit is {MAX_ARTICLE_BYTES:,}",
        ),
        (b"PK\x03\x04\x00\x00", "a.txt is a binary file, not text"),
        (b"caf\xe9", r"a.txt is not UTF-8 text \(byte 3\)"),
    ]:
        with pytest.raises(UploadError, match=reason):
            article_text("a.txt", data)


def uploaded(tmp_path: Path, name: str, data: bytes) -> Path:
    """A file as Gradio hands it over: in a folder of its own, under the name it was uploaded with."""
    folder = Path(tempfile.mkdtemp(dir=tmp_path))
    (folder / name).write_bytes(data)
    return folder / name


def test_an_uploaded_article_is_indexed_and_answerable_at_once(settings: Settings, tmp_path: Path) -> None:
    steps: list[tuple[float, str]] = []
    files = [uploaded(tmp_path, "bridge.txt", BRIDGE.encode()), uploaded(tmp_path, "photo.png", b"\x89PNG")]
    result = add_articles(files, settings, lambda fraction, what: steps.append((fraction, what)))
    assert (result.saved, result.same, result.rejected) == (
        ("bridge.txt",),
        (),
        ("'photo.png' is not a .txt or .md file",),
    )
    assert result.report is not None and result.report.added == ("bridge.txt",)
    assert steps == [
        (0.0, "checking bridge.txt"),
        (0.25, "checking photo.png"),
        (0.5, "indexing 1 new article(s)"),
        (0.95, "loading the new index"),
        (1.0, "done"),
    ]
    assert (settings.corpus_dir / "bridge.txt").read_text() == BRIDGE
    assert "bridge.txt" in read_manifest(next(settings.index_dir.glob("v-*"))).files
    final = list(reply("How much did the repairs of the Gilgit bridge cost?", Conversation(), settings))[-1]
    assert "45 million rupees" in final.messages[-1][1] and "bridge.txt</a>" in final.messages[-1][1]


def test_an_upload_never_replaces_an_article_and_never_writes_through_a_link(
    settings: Settings, tmp_path: Path
) -> None:
    original = (settings.corpus_dir / RUSSIA).read_bytes()
    outside = tmp_path / "outside.txt"
    outside.write_text("keep me")
    os.symlink(outside, settings.corpus_dir / "linked.txt")
    again = add_articles([uploaded(tmp_path, RUSSIA, original)], settings)
    assert (again.saved, again.same, again.report) == ((), (RUSSIA,), None)
    message = upload(
        [uploaded(tmp_path, RUSSIA, b"Other text."), uploaded(tmp_path, "linked.txt", b"Overwrite.")], settings
    )
    assert message == (
        f'<div class="qa-error"><p>⚠ not added: an article named {RUSSIA} already exists; '
        "rename the file to add it</p></div>"
        "<div class=\"qa-error\"><p>⚠ not added: 'linked.txt' would not be inside the article folder</p></div>"
    )
    assert (settings.corpus_dir / RUSSIA).read_bytes() == original
    assert outside.read_text() == "keep me"


def test_when_indexing_fails_the_uploaded_files_are_removed_and_the_page_says_so(
    settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def fail(*args: object, **kwargs: object) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr("qa.web.build_index", fail)
    message = upload([uploaded(tmp_path, "bridge.txt", BRIDGE.encode())], settings)
    assert (
        message == '<div class="qa-error"><p>⚠ nothing was added: indexing failed (RuntimeError: disk full)</p></div>'
    )
    assert not (settings.corpus_dir / "bridge.txt").exists()


def test_too_many_files_at_once_are_refused(settings: Settings, tmp_path: Path) -> None:
    files = [uploaded(tmp_path, f"a{i}.txt", b"Text.") for i in range(21)]
    assert upload(files, settings) == (
        '<div class="qa-error"><p>⚠ nothing was added: 21 files at once; the limit is 20</p></div>'
    )
    assert not (settings.corpus_dir / "a0.txt").exists()


# ---------------------------------------------------------------------------- reading articles


def test_only_indexed_articles_inside_the_corpus_can_be_read(settings: Settings, tmp_path: Path) -> None:
    assert read_article(settings, RUSSIA)[10114:10246] == BUY
    (tmp_path / "secret.txt").write_text("secret")
    (settings.corpus_dir / "later.txt").write_text("Not indexed yet.")
    for source in ["../secret.txt", "/etc/passwd", "later.txt", f"./{RUSSIA}", ""]:
        with pytest.raises(ArticleNotFound, match="no indexed article is named"):
            read_article(settings, source)


def test_the_app_serves_the_page_and_the_cited_article_and_refuses_other_paths(settings: Settings) -> None:
    from fastapi.testclient import TestClient

    from qa.web import create_app

    with TestClient(create_app(settings)) as client:
        assert client.get("/").status_code == 200
        shown = client.get("/article", params={"source": RUSSIA, "start": 10114, "end": 10246})
        assert shown.status_code == 200
        assert f'<mark id="cited">{BUY}</mark>' in shown.text
        refused = client.get("/article", params={"source": "../../../etc/passwd"})
        assert refused.status_code == 404
        assert refused.text == "<!doctype html><p>no indexed article is named '../../../etc/passwd'</p>"
