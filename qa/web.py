"""The Gradio page, a thin layer over the API. For now it shows the passages that best match a
question, each with its file and character offsets (answers with citations come with ``ask()``)."""

from __future__ import annotations

import html
import sys
from typing import Any

from qa.config import Settings
from qa.errors import CorpusError, IndexLoadError
from qa.index import build_index, current_version, read_manifest
from qa.retrieve import get_retriever


def ensure_index(settings: Settings) -> None:
    """Builds or updates the index of the corpus folder, with progress on the terminal."""
    print(f"checking the index of {settings.corpus_dir} in {settings.index_dir} ...", file=sys.stderr)
    report = build_index(settings=settings, progress=True, on_warning=lambda m: print(f"warning: {m}", file=sys.stderr))
    print(f"index ready: {report.summary()}", file=sys.stderr)


def render_hits(question: str, settings: Settings) -> str:
    try:
        hits = get_retriever(settings.index_dir, settings).search(question, k=5)
    except (ValueError, IndexLoadError) as exc:
        return f"<p class='error'>{html.escape(str(exc))}</p>"
    rows = [
        f"<li><b>{html.escape(h.source)}</b> <small>chars {h.start}-{h.end}, score {h.score:.4f}</small>"
        f"<blockquote>{html.escape(h.text)}</blockquote></li>"
        for h in hits
    ]
    return "<ol>" + "".join(rows) + "</ol>"


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
    import gradio as gr

    with gr.Blocks(title="Ask the articles") as page:
        gr.Markdown("# Ask the articles\nFind the passages of the articles that answer a question.")
        with gr.Row():
            with gr.Column(scale=3):
                question = gr.Textbox(label="Question", placeholder="What did Pakistan offer India?")
                go = gr.Button("Search", variant="primary")
                results = gr.HTML()
            with gr.Column(scale=1):
                gr.HTML(status(settings))
        go.click(lambda q: render_hits(q, settings), question, results)
        question.submit(lambda q: render_hits(q, settings), question, results)
    return page


def main(host: str = "127.0.0.1", port: int = 7860, settings: Settings | None = None) -> None:
    settings = settings or Settings.from_env()
    try:
        ensure_index(settings)
    except CorpusError as exc:
        raise SystemExit(f"error: {exc}") from exc
    build_page(settings).queue().launch(server_name=host, server_port=port)
