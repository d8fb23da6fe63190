"""Regression evaluation: gold questions through ``ask()`` (or retrieval only), judged, summarised,
compared with the stored baseline, reported.

    python -m evals.run [--questions FILE | --squad] [--corpus DIR] [--sample N --seed S]
                        [--retrieval-only | --backend local|openai|extractive] [--out DIR]
                        [--update-baseline] [--no-latency-gate] [--ci]

``qa eval`` takes the same options. The corpus is indexed (incrementally) under
``<cache_dir>/eval/``. Before timing, a model backend answers the first question once, so that
loading the model is not counted in the first question's latency.
"""

from __future__ import annotations

import argparse
import hashlib
import shlex
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from evals.datasets import Dataset, load_dataset
from evals.gate import BASELINE, baseline_entry, compare, load_baseline, save_profile
from evals.gold import judge
from evals.metrics import Record, counts, gold_rank, summarise
from evals.options import CI_RUNS, DESCRIPTION, add_arguments
from evals.report import Run, gate_verdict, write_report
from evals.squad import DEFAULT_SQUAD
from qa.ask import ask, check_length, make_generator
from qa.config import Settings
from qa.followup import as_turns, standalone_question, turn_of
from qa.generate import Generator
from qa.index import build_index
from qa.retrieve import Retriever, get_retriever
from qa.types import Timings, Turn

OUT = Path(__file__).resolve().parent / "out"
EXIT_REGRESSION = 3


def default_index_dir(settings: Settings, corpus: Path) -> Path:
    digest = hashlib.sha256(str(corpus.resolve()).encode()).hexdigest()[:10]
    return settings.cache_dir / "eval" / f"{corpus.resolve().name}-{digest}"


def settings_snapshot(settings: Settings) -> dict[str, Any]:
    """The settings that shape results (no paths, no key), for the baseline and the report."""
    hidden = {"corpus_dir", "index_dir", "cache_dir", "openai_api_key"}
    return {k: v for k, v in asdict(settings).items() if k not in hidden}


def _say(quiet: bool, line: str) -> None:
    if not quiet:
        print(line, file=sys.stderr, flush=True)


def history_of(
    asked: Sequence[str], turns: dict[tuple[str, ...], Turn], reply: Callable[[str, list[Turn]], Turn]
) -> list[Turn]:
    """What a chat user has seen before a follow-up: its earlier questions asked in order, each with
    the exchanges before it, by ``reply``. ``turns`` keeps every exchange made, keyed by the questions
    up to it, so earlier questions that follow-ups share are asked once."""
    history: list[Turn] = []
    for n in range(len(asked)):
        key = tuple(asked[: n + 1])
        if key not in turns:
            turns[key] = reply(asked[n], list(history))
        history.append(turns[key])
    return history


def evaluate_retrieval(dataset: Dataset, retriever: Retriever, k: int, quiet: bool = True) -> list[Record]:
    """Searches each question (a follow-up with the question before it in front) for its top ``k``."""
    records = []
    for q in dataset.questions:
        search = standalone_question(q.question, as_turns(q.history), None) if q.history else q.question
        started = time.perf_counter()
        hits = retriever.search(search, k=k)
        took = time.perf_counter() - started
        rank = gold_rank(hits, q)
        records.append(Record(q, search, tuple(hits), rank, Timings(retrieval=took)))
        _say(quiet, f"{'ok  ' if records[-1].passed else 'MISS'} {q.id} rank {rank or '-'} | {q.question[:70]}")
    return records


def evaluate_answers(
    dataset: Dataset, settings: Settings, index_dir: Path, generator: Generator | None, quiet: bool = True
) -> list[Record]:
    """Asks each question and judges the answer. A follow-up is asked as in a chat: its earlier
    questions first, each with the ones before it, and then it, with their questions and answers."""
    if generator is not None:  # warm up: the first call maps the model into memory
        ask(dataset.questions[0].question, index_dir=index_dir, settings=settings, generator=generator)
    turns: dict[tuple[str, ...], Turn] = {}

    def reply(question: str, history: list[Turn]) -> Turn:
        return turn_of(ask(question, history=history, index_dir=index_dir, settings=settings, generator=generator))

    records = []
    for q in dataset.questions:
        history = history_of(q.history, turns, reply)
        answer = ask(q.question, history=history, index_dir=index_dir, settings=settings, generator=generator)
        verdict = judge(q, answer, dataset.corpus)
        rank = gold_rank(answer.hits, q)
        record = Record(q, answer.search_question, answer.hits, rank, answer.timings, answer, verdict)
        records.append(record)
        _say(
            quiet,
            f"{'ok  ' if record.passed else 'FAIL'} {q.id} {q.kind:12} {answer.timings.total:5.1f}s | "
            f"{q.question[:60]} | {answer.text[:70]!r} {'; '.join(record.reasons)}",
        )
    return records


def canonical_argv(args: argparse.Namespace, mode: str) -> list[str]:
    """The options that chose what was evaluated, in a fixed order: the command that repeats the run."""
    out = ["--squad"] if args.squad else []
    for flag, value in (("--questions", args.questions), ("--corpus", args.corpus), ("--index", args.index)):
        if value is not None:
            out += [flag, str(value)]
    if args.sample is not None:
        out += ["--sample", str(args.sample), "--seed", str(args.seed)]
    return [*out, "--retrieval-only"] if mode == "retrieval" else [*out, "--backend", mode]


def run(args: argparse.Namespace) -> int:
    """One evaluation (or, with ``--ci``, each CI evaluation); the exit code: 0, or 3 on a regression."""
    if args.ci:
        return run_ci(args)
    started_at, started = datetime.now(UTC).isoformat(timespec="seconds"), time.perf_counter()
    if args.squad and args.questions:
        raise ValueError("give --squad or --questions, not both")
    questions = DEFAULT_SQUAD / "dev-v1.1.json" if args.squad else args.questions
    settings = Settings.from_env(answer_backend=args.backend)
    dataset = load_dataset(questions, args.corpus, args.sample, args.seed)
    for q in dataset.questions:
        check_length(q.question, settings)  # a bad question stops the run before it starts
    mode = "retrieval" if args.retrieval_only else settings.answer_backend
    profile = f"{dataset.name}/{mode}"
    index_dir = args.index or default_index_dir(settings, dataset.corpus)
    _say(args.quiet, f"{profile}: {len(dataset.questions)} questions; indexing {dataset.corpus} into {index_dir}")
    report = build_index(dataset.corpus, index_dir, settings=settings, progress=not args.quiet)
    _say(args.quiet, f"index: {report.summary()}")

    # A retriever with this run's settings (the cached one may carry another run's weights).
    cached = get_retriever(index_dir, settings)
    if args.retrieval_only:
        retriever = Retriever(cached.index, cached.embedder, settings)
        records = evaluate_retrieval(dataset, retriever, settings.answer_chunks, args.quiet)
    else:
        records = evaluate_answers(dataset, settings, index_dir, make_generator(settings), args.quiet)

    summary, tally = summarise(records), counts(records)
    baseline_path = args.baseline or BASELINE
    stored = load_baseline(baseline_path)["profiles"].get(profile)
    checks = compare(summary, stored, latency=not args.no_latency_gate) if stored and not args.update_baseline else []
    command = "qa eval " + shlex.join(canonical_argv(args, mode))
    finished = Run(
        profile,
        command,
        str(dataset.corpus),
        started_at,
        time.perf_counter() - started,
        settings_snapshot(settings),
        dataset.fingerprint,
        tuple(records),
        summary,
        tally,
        tuple(checks),
        stored,
    )
    folder = args.out or OUT / profile.replace("/", "-")
    path = write_report(finished, folder)

    print(f"{profile}: {tally['passed']} of {tally['questions']} passed in {finished.seconds:.0f} s")
    for metric, value in summary.items():
        print(f"  {metric:32} {'n/a' if value is None else f'{value:.3f}'}")
    print(f"report: {path}")
    if args.update_baseline:
        entry = baseline_entry(
            summary,
            tally,
            stored,
            command=command,
            measured=started_at,
            seconds=round(finished.seconds, 1),
            questions_sha256=dataset.fingerprint,
            settings=finished.settings,
        )
        save_profile(baseline_path, profile, entry)
        print(f"baseline of {profile} stored in {baseline_path}")
        return 0
    print(f"gate: {gate_verdict(finished)}")
    for check in checks:
        if not check.ok:
            print(
                f"  {check.metric}: {check.current} is worse than the baseline {check.baseline} "
                f"by more than {check.tolerance}{' (relative)' if check.relative else ''} ({check.better} is better)",
                file=sys.stderr,
            )
    return EXIT_REGRESSION if any(not c.ok for c in checks) else 0


def run_ci(args: argparse.Namespace) -> int:
    """Each of ``CI_RUNS`` with this call's gate options; the worst exit code."""
    if args.questions or args.corpus or args.squad or args.sample or args.retrieval_only or args.backend or args.out:
        raise ValueError("--ci runs fixed evaluations of the seeds: give only gate options with it")
    extra = (
        [
            flag
            for flag, on in (("--update-baseline", args.update_baseline), ("--no-latency-gate", args.no_latency_gate))
            if on
        ]
        + (["--baseline", str(args.baseline)] if args.baseline else [])
        + (["--quiet"] if args.quiet else [])
    )
    parser = build_parser()
    worst = 0
    for argv in CI_RUNS:
        worst = max(worst, run(parser.parse_args([*argv, *extra])))
    return worst


def build_parser(prog: str | None = None) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=prog, description=DESCRIPTION, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    add_arguments(parser)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    from qa.cli import main as qa_main

    return qa_main(["eval", *(sys.argv[1:] if argv is None else argv)])


if __name__ == "__main__":
    raise SystemExit(main())
