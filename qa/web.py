"""The Gradio page, a thin layer over the API: a question, the answer as it is written, then its
citations (file, offsets, the quoted sentence). The full chat page is issue 6."""

from __future__ import annotations

import html
import os
import sys
from collections.abc import Iterator
from typing import Any

from qa.ask import ask_stream
from qa.config import Settings
from qa.errors import CorpusError, IndexLoadError
from qa.index import build_index, current_version, read_manifest
from qa.model import ModelFileError
from qa.types import Answer


def ensure_index(settings: Settings) -> None:
    """Builds or updates the index of the corpus folder, with progress on the terminal."""
    print(f"checking the index of {settings.corpus_dir} in {settings.index_dir} ...", file=sys.stderr)
    report = build_index(settings=settings, progress=True, on_warning=lambda m: print(f"warning: {m}", file=sys.stderr))
    print(f"index ready: {report.summary()}", file=sys.stderr)


def render_answer(answer: Answer) -> str:
    if answer.abstained:
        return f"<p><i>{html.escape(answer.text)}</i></p><p><small>({html.escape(answer.reason)})</small></p>"
    rows = [
        f"<li value='{c.marker}'><b>{html.escape(c.source)}</b> <small>chars {c.start}-{c.end}</small>"
        f"<blockquote>{html.escape(c.quote)}</blockquote></li>"
        for c in answer.citations
    ]
    t = answer.timings
    timing = f"retrieval {t.retrieval:.2f}s, first token {t.first_token:.2f}s, total {t.total:.2f}s ({answer.model})"
    return f"<p>{html.escape(answer.text)}</p><ol>{''.join(rows)}</ol><p><small>{timing}</small></p>"


def answer_stream(question: str, settings: Settings) -> Iterator[str]:
    """The page's answer area, updated as the answer is written; errors become readable messages."""
    written = ""
    try:
        for item in ask_stream(question, index_dir=settings.index_dir, settings=settings):
            if isinstance(item, Answer):
                yield render_answer(item)
            else:
                written += item
                yield f"<p>{html.escape(written)}</p>"
    except (ValueError, IndexLoadError, ModelFileError) as exc:
        yield f"<p class='error'>{html.escape(str(exc))}</p>"


def status(settings: Settings) -> str:
    version = current_version(settings.index_dir)
    if version is None:
        return "No index yet."
    manifest = read_manifest(version)
    names = "".join(f"<li>{html.escape(s)}</li>" for s in manifest.files)
    return (
        f"<p><b>{manifest.counts['files']} articles</b>, {manifest.counts['chunks']} passages, "
        f"embedder {html.escape(manifest.embedder['name'])}, built {manifest.created}</p><ul>{names}</ul>"
    )


def build_page(settings: Settings) -> Any:
    os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
    import gradio as gr

    with gr.Blocks(title="Ask the articles") as page:
        gr.Markdown("# Ask the articles\nShort answers cited to the sentence they come from.")
        with gr.Row():
            with gr.Column(scale=3):
                question = gr.Textbox(label="Question", placeholder="What did Pakistan offer India?")
                go = gr.Button("Ask", variant="primary")
                results = gr.HTML()
            with gr.Column(scale=1):
                gr.HTML(status(settings))

        def on_ask(text: str) -> Iterator[str]:
            yield from answer_stream(text, settings)

        go.click(on_ask, question, results)
        question.submit(on_ask, question, results)
    return page


def main(host: str = "127.0.0.1", port: int = 7860, settings: Settings | None = None) -> None:
    settings = settings or Settings.from_env()
    try:
        ensure_index(settings)
    except CorpusError as exc:
        raise SystemExit(f"error: {exc}") from exc
    build_page(settings).queue().launch(server_name=host, server_port=port)
