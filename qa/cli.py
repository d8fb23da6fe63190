"""The ``qa`` command: ``qa index``, ``qa search``, ``qa ask``, ``qa eval``, ``qa app``. The only place where errors
become messages and exit codes (2 for bad input, 1 for a damaged index, 3 for an evaluation below its baseline)."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence
from pathlib import Path

from evals.options import DESCRIPTION as EVAL_DESCRIPTION
from evals.options import add_arguments as add_eval_arguments
from qa.config import Settings
from qa.errors import CorpusError, IndexLoadError
from qa.model import ModelFileError


def _settings(args: argparse.Namespace) -> Settings:
    return Settings.from_env(
        corpus_dir=getattr(args, "corpus", None),
        index_dir=getattr(args, "index", None),
    )


def cmd_index(args: argparse.Namespace) -> int:
    from qa.index import build_index

    settings = _settings(args)
    print(f"indexing {settings.corpus_dir} into {settings.index_dir} ...", file=sys.stderr)
    report = build_index(
        settings=settings,
        progress=True,
        on_warning=lambda message: print(f"warning: {message}", file=sys.stderr),
    )
    for label, names in (("added", report.added), ("updated", report.updated), ("removed", report.removed)):
        for name in names:
            print(f"  {label}: {name}")
    print(report.summary() if report.changed else f"nothing changed ({report.summary()})")
    return 0


def cmd_search(args: argparse.Namespace) -> int:
    from qa.retrieve import get_retriever

    settings = _settings(args)
    hits = get_retriever(settings.index_dir, settings).search(args.question, k=args.k)
    for rank, hit in enumerate(hits, start=1):
        print(f"[{rank}] {hit.source}:{hit.start}-{hit.end}  score {hit.score:.4f}")
        print("    " + hit.text.replace("\n", "\n    "))
    return 0


def cmd_ask(args: argparse.Namespace) -> int:
    import json
    from dataclasses import asdict

    from qa.ask import ask_stream
    from qa.types import Answer

    settings = _settings(args)
    if args.backend:
        settings = settings.with_(answer_backend=args.backend)
    answer: Answer | None = None
    streamed = ""
    for item in ask_stream(args.question, index_dir=settings.index_dir, settings=settings):
        if isinstance(item, Answer):
            answer = item
        elif not args.json:
            streamed += item
            print(item, end="", flush=True)
    assert answer is not None
    if args.json:
        print(json.dumps(asdict(answer), indent=1, ensure_ascii=False))
        return 0
    if streamed and answer.text.startswith(streamed.rstrip()):
        print(answer.text[len(streamed.rstrip()) :])  # the citation markers
    else:  # nothing streamed (abstained early), or the draft failed the checks and was replaced
        print(f"\n(checked and replaced by:) {answer.text}" if streamed else answer.text)
    for c in answer.citations:
        print(f"  [{c.marker}] {c.source}:{c.start}-{c.end} \u201c{' '.join(c.quote.split())}\u201d")
    if answer.abstained:
        print(f"  ({answer.reason})")
    t = answer.timings
    print(
        f"  {answer.model}: retrieval {t.retrieval:.2f}s, prompt {t.prompt:.2f}s, first token {t.first_token:.2f}s, "
        f"generation {t.generation:.2f}s, total {t.total:.2f}s",
        file=sys.stderr,
    )
    return 0


def cmd_eval(args: argparse.Namespace) -> int:
    from evals.run import run

    code: int = run(args)
    return code


def cmd_app(args: argparse.Namespace) -> int:
    from qa.web import main as serve

    serve(host=args.host, port=args.port, settings=_settings(args))
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="qa", description="Ask questions of a folder of news articles.")
    parser.add_argument("-v", "--verbose", action="store_true", help="log what happens")
    sub = parser.add_subparsers(dest="command", required=True)

    index = sub.add_parser("index", help="index (or update the index of) a folder of articles")
    index.add_argument("corpus", nargs="?", type=Path, help="folder of .txt/.md articles (default: seeds/)")
    index.add_argument("--index", type=Path, help="index folder (default: index/)")
    index.set_defaults(run=cmd_index)

    search = sub.add_parser("search", help="show the passages that best match a question")
    search.add_argument("question")
    search.add_argument("-k", type=int, default=5, help="how many passages (default 5)")
    search.add_argument("--index", type=Path, help="index folder (default: index/)")
    search.set_defaults(run=cmd_search)

    ask = sub.add_parser("ask", help="answer a question from the indexed articles, with citations")
    ask.add_argument("question")
    ask.add_argument("--index", type=Path, help="index folder (default: index/)")
    ask.add_argument("--backend", choices=["local", "openai", "extractive"], help="answer model (default: local)")
    ask.add_argument("--json", action="store_true", help="print the whole Answer as JSON")
    ask.set_defaults(run=cmd_ask)

    evaluate = sub.add_parser(
        "eval", help="evaluate answers against gold questions; exit 3 below the baseline", description=EVAL_DESCRIPTION
    )
    add_eval_arguments(evaluate)
    evaluate.set_defaults(run=cmd_eval)

    web = sub.add_parser("app", help="start the web page (builds the seeds index first if missing)")
    web.add_argument("--host", default="127.0.0.1")
    web.add_argument("--port", type=int, default=7860)
    web.add_argument("--corpus", type=Path, help="folder of articles (default: seeds/)")
    web.add_argument("--index", type=Path, help="index folder (default: index/)")
    web.set_defaults(run=cmd_app)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.ERROR, format="%(levelname)s %(name)s: %(message)s"
    )
    try:
        code: int = args.run(args)
    except (CorpusError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except (IndexLoadError, ModelFileError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    return code


if __name__ == "__main__":
    raise SystemExit(main())
