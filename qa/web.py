"""The chat page: Gradio over ``ask_stream`` and ``build_index``, served with FastAPI.

Each browser session has its own conversation (a ``Conversation`` in a ``gr.State``); the answer
model and the index are loaded once per process and shared. Answering and indexing run one at a
time, in one queue, so a second person sees a queue position rather than an error, and an upload
never swaps the index under a question being answered. Every cited file opens at ``/article``
with the cited passage marked. The page reads and writes only inside the corpus folder: uploads
must have a plain ``.txt``/``.md`` file name and never replace an article, and ``/article`` serves
only files the index lists."""

from __future__ import annotations

import html
import logging
import os
import re
import sys
import unicodedata
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlencode

from qa.answer import strip_markers
from qa.ask import ask_stream, make_generator
from qa.config import Settings
from qa.corpus import SUFFIXES, CorpusFile, decode, is_binary
from qa.errors import CorpusError, IndexLoadError
from qa.followup import turn_of
from qa.generate import Generator
from qa.index import build_index, current_version, read_manifest
from qa.model import BUNDLED, ModelFileError
from qa.retrieve import get_retriever
from qa.types import Answer, IndexReport, Turn

log = logging.getLogger(__name__)

MAX_ARTICLE_BYTES = 1_000_000  # per uploaded file
MAX_UPLOAD_FILES = 20  # per upload
HISTORY_TURNS = 3  # earlier exchanges (question and answer) passed to ask_stream for a follow-up
QUEUE = "model"  # the one concurrency group of answering and indexing

# Questions to start from, shown for the seed articles that are in the index.
SEED_EXAMPLES = {
    "004_07e1443d25d1940b.txt": "Which Russian foreign minister visited Islamabad?",
    "000_bb0f77902b53b706.txt": "What medical equipment did Pakistan offer to send to India?",
    "001_a6f6af1ea4f89335.txt": "What is the name of Pakistan's Foreign Secretary?",
    "002_a84510b569571809.txt": "Which year's ceasefire understanding did Pakistan say should be implemented?",
    "003_846f8b5f639282ae.txt": "How many tourists were killed in the attack in Pahalgam?",
}

_NAME = re.compile(r"[^\W_][\w .()-]{0,119}")
_MARKER = re.compile(r"\[(\d+)\]")


class UploadError(ValueError):
    """An uploaded file that cannot become an article; the message names the file and the reason."""


class ArticleNotFound(LookupError):
    """A request for an article the index does not list."""


# ------------------------------------------------------------------------------------ rendering


def _esc(text: str) -> str:
    """Text for an HTML text node (attribute values are escaped with quotes as well, in ``_link``)."""
    return html.escape(text, quote=False)


def article_href(source: str, start: int, end: int) -> str:
    """The page's address of ``source`` with the characters ``start:end`` marked."""
    return "article?" + urlencode({"source": source, "start": start, "end": end})


def _link(href: str, text: str, css: str) -> str:
    return f'<a class="{css}" href="{html.escape(href)}" target="_blank" rel="noopener">{text}</a>'


def _paragraphs(text: str) -> str:
    """Escaped text; a blank line would end the chat message's HTML block, so lines become <br>."""
    return "<br>".join(_esc(line) for line in text.strip().splitlines() if line.strip())


def render_answer(answer: Answer) -> str:
    """A finished answer as one HTML block: the text with its [n] markers linked to the cited
    passages, then the sources (file, quoted sentence, a link that opens the article there)."""
    if answer.abstained:
        return (
            '<div class="qa-abstain"><p><span class="qa-abstain-mark">∅</span> '
            f'{_esc(answer.text)}</p><p class="qa-reason">{_esc(answer.reason)}</p></div>'
        )
    hrefs = {c.marker: article_href(c.source, c.start, c.end) for c in answer.citations}

    def marker(found: re.Match[str]) -> str:
        n = int(found.group(1))
        return _link(hrefs[n], f"[{n}]", "qa-marker") if n in hrefs else found.group(0)

    text = _MARKER.sub(marker, _paragraphs(answer.text))
    sources = "".join(
        f'<li value="{c.marker}">{_link(hrefs[c.marker], _esc(c.source), "qa-source")} '
        f'<span class="qa-quote">“{_esc(" ".join(c.quote.split()))}”</span></li>'
        for c in answer.citations
    )
    note = ""
    if answer.draft and strip_markers(answer.text).strip() != answer.draft.strip():
        note = '<p class="qa-note">The model\'s draft failed the checks; this is the best matching sentence.</p>'
    t = answer.timings
    timing = f"{_esc(answer.model)} · first words {t.first_token:.1f} s · total {t.total:.1f} s"
    return (
        f'<div class="qa-answer"><p>{text}</p>{note}<div class="qa-sources"><b>Sources</b><ol>{sources}</ol></div>'
        f'<p class="qa-timing">{timing}</p></div>'
    )


def render_draft(text: str) -> str:
    """The answer while it is being written."""
    return f'<div class="qa-answer qa-writing"><p>{_paragraphs(text) or "…"}</p><p class="qa-timing">writing…</p></div>'


def render_error(message: str) -> str:
    return f'<div class="qa-error"><p>⚠ {_esc(message)}</p></div>'


def render_article(source: str, text: str, start: int, end: int) -> str:
    """A whole article as an HTML page with ``text[start:end]`` marked and scrolled to."""
    start, end = max(0, min(start, len(text))), max(0, min(end, len(text)))
    if end < start:
        start, end = end, start
    before, cited, after = (_esc(part) for part in (text[:start], text[start:end], text[end:]))
    marked = f'<mark id="cited">{cited}</mark>' if cited else '<span id="cited"></span>'
    return (
        f"<!doctype html><html><head><meta charset='utf-8'><title>{_esc(source)}</title>"
        f"<style>{_ARTICLE_CSS}</style></head><body><header><h1>{_esc(source)}</h1>"
        f"<p class='where'>the cited passage is marked (characters {start}-{end})</p></header>"
        f"<article>{before}{marked}{after}</article>"
        "<script>document.getElementById('cited').scrollIntoView({block: 'center'});</script></body></html>"
    )


_ARTICLE_CSS = (
    "body{font:16px/1.6 system-ui,sans-serif;max-width:46rem;margin:2rem auto;padding:0 1rem;color:#222}"
    "header{position:sticky;top:0;background:#fff;border-bottom:1px solid #ddd;padding:.4rem 0}"
    "h1{font-size:1.1rem;font-family:monospace;margin:0}.where{color:#666;font-size:.85rem;margin:0}"
    "article{white-space:pre-wrap}mark{background:#ffe066;padding:.1em 0;border-radius:2px}"
)

PAGE_CSS = """
.qa-answer p, .qa-abstain p, .qa-error p { margin: 0 0 .4em 0; }
.qa-marker { text-decoration: none; font-weight: 600; }
.qa-sources { margin-top: .5em; padding-top: .4em; border-top: 1px solid #ddd; font-size: .9em; }
.qa-sources ol { margin: .2em 0 0 1.2em; padding: 0; }
.qa-source { font-family: monospace; }
.qa-quote { color: #555; }
.qa-timing, .qa-note, .qa-reason { color: #777; font-size: .8em; }
.qa-writing p:first-child { color: #444; }
.qa-abstain { border-left: 4px solid #aaa; padding-left: .6em; color: #555; font-style: italic; }
.qa-abstain-mark { font-style: normal; font-weight: 700; }
.qa-error { border-left: 4px solid #d33; padding-left: .6em; color: #a00; }
"""


# ------------------------------------------------------------------------------ the side panel


def model_names(settings: Settings) -> tuple[str, str]:
    """(embedder, answer model) as the page names them."""
    if settings.answer_backend == "local":
        answer = BUNDLED[settings.local_model].file_name + " (local, llama.cpp)"
    elif settings.answer_backend == "openai":
        answer = f"{settings.openai_model} at {settings.openai_base_url}"
    else:
        answer = "none: the best matching sentence, quoted (extractive)"
    return settings.embedder, answer


def indexed_sources(settings: Settings) -> list[str]:
    version = current_version(settings.index_dir)
    return sorted(read_manifest(version).files) if version else []


def render_status(settings: Settings) -> str:
    """The side panel: the index's articles and state, and the models in use."""
    embedder, answer = model_names(settings)
    models = f"<p><b>Models</b><br>embeddings: {_esc(embedder)}<br>answers: {_esc(answer)}</p>"
    version = current_version(settings.index_dir)
    if version is None:
        return f"<div class='qa-status'><p><b>No index yet.</b></p>{models}</div>"
    try:
        manifest = read_manifest(version)
    except (OSError, ValueError, TypeError) as exc:
        return f"<div class='qa-status'>{render_error(f'the index cannot be read: {exc}')}{models}</div>"
    names = "".join(f"<li>{_esc(s)}</li>" for s in sorted(manifest.files))
    return (
        f"<div class='qa-status'><p><b>{manifest.counts['files']} articles indexed</b>, "
        f"{manifest.counts['chunks']} passages<br><small>index {_esc(version.name)}, "
        f"built {_esc(manifest.created)}</small></p><ul class='qa-articles'>{names}</ul>{models}</div>"
    )


def examples_for(sources: Sequence[str]) -> list[str]:
    return [question for source, question in SEED_EXAMPLES.items() if source in sources]


# ---------------------------------------------------------------------------------- the chat


Role = Literal["user", "assistant"]


@dataclass(frozen=True, slots=True)
class Conversation:
    """One session's chat: the messages as shown, and the exchanges so far (for follow-ups)."""

    messages: tuple[tuple[Role, str], ...] = ()
    turns: tuple[Turn, ...] = ()

    def chat(self) -> list[dict[str, str]]:
        """In the Chatbot's message format."""
        return [{"role": role, "content": content} for role, content in self.messages]

    def asking(self, question: str) -> Conversation:
        return replace(self, messages=(*self.messages, ("user", _esc(question))))

    def answering(self, content: str) -> Conversation:
        """The last answer replaced (or the first one added) by ``content``."""
        messages = self.messages[:-1] if self.messages and self.messages[-1][0] == "assistant" else self.messages
        return replace(self, messages=(*messages, ("assistant", content)))


def reply(question: str, conversation: Conversation, settings: Settings, **ask_options: Any) -> Iterator[Conversation]:
    """The conversation as the answer to ``question`` is written: the draft as it streams, then the
    checked answer with its sources. Errors become a readable message in the chat."""
    asked = conversation.asking(question)
    history = list(conversation.turns[-HISTORY_TURNS:])
    written = ""
    try:
        yield asked.answering(render_draft(""))
        for item in ask_stream(
            question, history=history, index_dir=settings.index_dir, settings=settings, **ask_options
        ):
            if isinstance(item, Answer):
                done = asked.answering(render_answer(item))
                yield replace(done, turns=(*conversation.turns, turn_of(item)))
                return
            written += item
            yield asked.answering(render_draft(written))
    except (ValueError, IndexLoadError, ModelFileError, OSError) as exc:
        yield asked.answering(render_error(str(exc)))
    except Exception as exc:
        log.exception("answering %r failed", question)
        yield asked.answering(render_error(f"the answer failed ({type(exc).__name__}: {exc}); try again"))


# ------------------------------------------------------------------------------------- uploads


def article_name(name: str) -> str:
    """``name`` if it can be an article's file name in the corpus folder: one plain file name
    ending in .txt or .md (no folders, no hidden files). Raises ``UploadError`` otherwise."""
    shown = repr(name[:80])
    name = unicodedata.normalize("NFC", name)
    if not _NAME.fullmatch(name) or name.strip() != name or ".." in name:
        raise UploadError(
            f"{shown} is not a plain file name: use letters, digits, spaces, '.', '-', '_' or brackets, "
            "starting with a letter or digit"
        )
    if Path(name).suffix.lower() not in SUFFIXES:
        raise UploadError(f"{shown} is not a .txt or .md file")
    return name


def article_text(name: str, data: bytes) -> str:
    """The text of an uploaded article, or ``UploadError`` saying why it cannot be one."""
    if not data.strip():
        raise UploadError(f"{name} is empty")
    if len(data) > MAX_ARTICLE_BYTES:
        raise UploadError(f"{name} is {len(data):,} bytes; the limit is {MAX_ARTICLE_BYTES:,}")
    if is_binary(data):
        raise UploadError(f"{name} is a binary file, not text")
    try:
        return data.removeprefix(b"\xef\xbb\xbf").decode("utf-8")
    except UnicodeDecodeError as exc:
        raise UploadError(
            f"{name} is not UTF-8 text (byte {exc.start}); save it as UTF-8 and upload it again"
        ) from None


@dataclass(frozen=True, slots=True)
class UploadResult:
    saved: tuple[str, ...]  # new articles written to the corpus folder
    same: tuple[str, ...]  # already there with the same content
    rejected: tuple[str, ...]  # one message per file that was not added
    report: IndexReport | None  # the index update, when one ran


def _write_new(corpus: Path, name: str, data: bytes) -> bool:
    """Writes ``corpus/name`` only if it does not exist (never through a link). False when a file
    with the same bytes is already there; ``UploadError`` when another one is."""
    path = corpus / name
    if path.resolve().parent != corpus.resolve():
        raise UploadError(f"{name!r} would not be inside the article folder")
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o644)
    except FileExistsError:
        if not path.is_symlink() and path.is_file() and path.read_bytes() == data:
            return False
        raise UploadError(f"an article named {name} already exists; rename the file to add it") from None
    with os.fdopen(fd, "wb") as out:
        out.write(data)
    return True


def add_articles(
    files: Sequence[Path], settings: Settings, progress: Callable[[float, str], None] | None = None
) -> UploadResult:
    """Checks uploaded files, copies the good ones into the corpus folder under their own names and
    updates the index incrementally, so they can be asked about at once. A file that fails a check
    is reported and left out; when indexing fails, the files just written are removed again."""
    step = progress or (lambda fraction, what: None)
    if len(files) > MAX_UPLOAD_FILES:
        raise UploadError(f"{len(files)} files at once; the limit is {MAX_UPLOAD_FILES}")
    corpus = settings.corpus_dir
    corpus.mkdir(parents=True, exist_ok=True)
    saved: list[str] = []
    same: list[str] = []
    rejected: list[str] = []
    for i, file in enumerate(files):
        step(0.5 * i / max(len(files), 1), f"checking {file.name}")
        try:
            name = article_name(file.name)
            data = file.read_bytes()
            article_text(name, data)
            (saved if _write_new(corpus, name, data) else same).append(name)
        except (UploadError, OSError) as exc:
            rejected.append(str(exc))
    if not saved:
        return UploadResult((), tuple(same), tuple(rejected), None)
    step(0.5, f"indexing {len(saved)} new article(s)")
    try:
        embedder = get_retriever(settings.index_dir, settings).embedder  # the one already loaded
    except IndexLoadError:
        embedder = None
    try:
        report = build_index(corpus, settings.index_dir, settings=settings, embedder=embedder)
        step(0.95, "loading the new index")
        get_retriever(settings.index_dir, settings, embedder=embedder)
    except BaseException:
        for name in saved:
            (corpus / name).unlink(missing_ok=True)
        raise
    step(1.0, "done")
    return UploadResult(tuple(saved), tuple(same), tuple(rejected), report)


def render_upload(result: UploadResult) -> str:
    lines = []
    if result.saved and result.report:
        lines.append(f"<p>✔ added and indexed: {_esc(', '.join(result.saved))} ({result.report.summary()})</p>")
    if result.same:
        lines.append(f"<p>already in the index, unchanged: {_esc(', '.join(result.same))}</p>")
    lines.extend(render_error(f"not added: {message}") for message in result.rejected)
    return "".join(lines) or "<p>No files.</p>"


def upload(files: Sequence[Path], settings: Settings, progress: Callable[[float, str], None] | None = None) -> str:
    """The upload panel's message after adding ``files``; every error becomes readable text."""
    try:
        return render_upload(add_articles(files, settings, progress))
    except (UploadError, CorpusError, IndexLoadError, OSError) as exc:
        return render_error(f"nothing was added: {exc}")
    except Exception as exc:
        log.exception("indexing the uploaded files failed")
        return render_error(f"nothing was added: indexing failed ({type(exc).__name__}: {exc})")


# ---------------------------------------------------------------------------- reading articles


def read_article(settings: Settings, source: str) -> str:
    """The text of an indexed article, decoded as the index decoded it (so offsets agree). Only
    files the index lists, inside the corpus folder, can be read."""
    if source not in indexed_sources(settings):
        raise ArticleNotFound(f"no indexed article is named {source!r}")
    corpus = settings.corpus_dir.resolve()
    path = (corpus / source).resolve()
    if not path.is_relative_to(corpus) or not path.is_file():
        raise ArticleNotFound(f"no indexed article is named {source!r}")
    document, _ = decode(CorpusFile(path, source, "", path.read_bytes()))
    return document.text


# ------------------------------------------------------------------------------------ the page


def build_page(settings: Settings, generator: Generator | None = None) -> Any:
    """The Gradio Blocks of the page (not yet served); ``generator`` replaces the settings' answer model."""
    os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
    import gradio as gr

    with gr.Blocks(title="Ask the articles") as page:
        conversation = gr.State(Conversation())
        with gr.Row():
            with gr.Column(scale=3):
                gr.Markdown("## Ask the articles\nShort answers, each cited to the sentence it comes from.")
                chat = gr.Chatbot(
                    label="Conversation",
                    height=560,
                    latex_delimiters=[],
                    feedback_options=None,
                    buttons=[],
                    elem_id="chat",
                    placeholder="Ask a question about the articles, or pick an example on the right.",
                )
                with gr.Row():
                    question = gr.Textbox(
                        show_label=False, placeholder="Ask about the articles…", scale=5, elem_id="question"
                    )
                    ask = gr.Button("Ask", variant="primary", scale=1, elem_id="ask")
                clear = gr.Button("Clear the chat", size="sm", elem_id="clear")
            with gr.Column(scale=1):
                status = gr.HTML(render_status(settings), elem_id="status")
                examples = examples_for(indexed_sources(settings))
                if examples:
                    gr.Examples([[q] for q in examples], inputs=[question], label="Example questions")
                gr.Markdown(f"**Add articles** (.txt or .md, at most {MAX_ARTICLE_BYTES // 1000:,} kB each)")
                files = gr.File(file_count="multiple", file_types=sorted(SUFFIXES), show_label=False, elem_id="upload")
                added = gr.HTML(elem_id="upload-result")

        pending = gr.State("")

        def take(text: str, conv: Conversation) -> tuple[str, str, list[dict[str, str]]]:
            return "", text, conv.asking(text).chat() if text.strip() else conv.chat()

        def respond(text: str, conv: Conversation) -> Iterator[tuple[list[dict[str, str]], Conversation]]:
            if not text.strip():
                return
            for state in reply(text, conv, settings, generator=generator):
                yield state.chat(), state

        def on_upload(paths: list[str] | None, progress: Any = gr.Progress()) -> tuple[str, str, None]:  # noqa: B008 - how Gradio finds the tracker
            message = upload([Path(p) for p in paths or []], settings, lambda f, d: progress(f, desc=d))
            return message, render_status(settings), None

        answering = [
            trigger(take, [question, conversation], [question, pending, chat], queue=False).then(
                respond, [pending, conversation], [chat, conversation], concurrency_id=QUEUE, concurrency_limit=1
            )
            for trigger in (question.submit, ask.click)
        ]
        clear.click(lambda: ([], Conversation()), None, [chat, conversation], queue=False, cancels=answering)
        chat.clear(lambda: Conversation(), None, conversation, queue=False, cancels=answering)
        files.upload(on_upload, files, [added, status, files], concurrency_id=QUEUE, concurrency_limit=1)
        page.load(lambda: render_status(settings), None, status, queue=False)
    return page


def create_app(settings: Settings, generator: Generator | None = None) -> Any:
    """A FastAPI app serving the page at ``/`` and the cited articles at ``/article``; ``generator``
    replaces the settings' answer model."""
    import gradio as gr
    from fastapi import FastAPI, Query
    from fastapi.responses import HTMLResponse

    app = FastAPI(title="Ask the articles")

    @app.get("/article", response_class=HTMLResponse)
    def article(source: str = Query(max_length=300), start: int = 0, end: int = 0) -> HTMLResponse:
        try:
            text = read_article(settings, source)
        except (ArticleNotFound, OSError) as exc:
            return HTMLResponse(f"<!doctype html><p>{_esc(str(exc))}</p>", status_code=404)
        return HTMLResponse(render_article(source, text, start, end))

    page = build_page(settings, generator).queue(default_concurrency_limit=1)
    return gr.mount_gradio_app(
        app,
        page,
        path="/",
        css=PAGE_CSS,
        footer_links=[],
        max_file_size=MAX_ARTICLE_BYTES * 2,
        show_error=False,
        run_history=False,
    )


def ensure_index(settings: Settings) -> None:
    """Builds or updates the index of the corpus folder, with progress on the terminal."""
    print(f"checking the index of {settings.corpus_dir} in {settings.index_dir} ...", file=sys.stderr)
    report = build_index(settings=settings, progress=True, on_warning=lambda m: print(f"warning: {m}", file=sys.stderr))
    print(f"index ready: {report.summary()}", file=sys.stderr)


def main(host: str = "127.0.0.1", port: int = 7860, settings: Settings | None = None) -> None:
    """Indexes the corpus (first start) and loads the answer model, then serves the page."""
    import uvicorn

    settings = settings or Settings.from_env()
    ensure_index(settings)
    print(f"loading the answer model ({model_names(settings)[1]}) ...", file=sys.stderr)
    make_generator(settings)
    get_retriever(settings.index_dir, settings)
    print(f"serving the page at http://{host}:{port}/", file=sys.stderr)
    uvicorn.run(create_app(settings), host=host, port=port, log_level="warning")
