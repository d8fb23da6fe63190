"""Which questions a code change touches, found without the model.

A run's ``records.json`` (written by ``qa eval``) keeps what the model wrote for each question: the
follow-up rewrite, the draft with the sentences it cited, and whether the second look refused it.
Replaying those through this checkout's ``ask()`` gives each question's answer prompt and final
outcome as this code makes them (4 min 52 s for 926 questions of 18 runs). Replay in the checkout before a
change and in the one after, then ``--diff``: only the questions whose prompt changed need asking
again with the model (it decodes greedily: the same prompt gets the same reply); an outcome that
changed with the prompt unchanged is the change's own doing.

    python -m evals.replay RECORDS.json... --out FILE [--index DIR]
    python -m evals.replay --questions evals/blind*.jsonl --out FILE
    python -m evals.replay --diff OLD NEW

Run records stay on the machine that made them (and replay exactly only there). Without them,
``--questions`` gives gold questions the same treatment as unrecorded ones: each follow-up searched
as written, no draft. That still finds every question whose answer prompt a change touches (the
prompt is built before the model writes) and whether the gates before the model now stop it.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import sys
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict
from pathlib import Path
from typing import Any

from evals.gold import SEEDS, load_questions
from evals.run import default_index_dir
from qa.answer import REWRITE_PROMPT, VERIFY_PROMPT
from qa.ask import ask
from qa.config import Settings
from qa.index import build_index
from qa.naming import NAME_SHOWN
from qa.types import Answer, Turn

REFUSED = "the model, asked again"  # how a record's reason starts when the second look refused the draft


class RecordedModel:
    """A ``Generator`` that writes what the model wrote for one recorded question, and keeps the
    answer prompts it was given."""

    name = "replay"

    def __init__(self, record: dict[str, Any]) -> None:
        self.record = record
        self.given: list[tuple[str, str, dict[str, Any] | None]] = []  # every prompt: system, user, schema

    def stream(self, system: str, user: str, *, schema: dict[str, Any] | None, max_tokens: int) -> Iterator[str]:
        self.given.append((system, user, schema))
        if system == REWRITE_PROMPT:
            yield self.record["search_question"]
        elif system == VERIFY_PROMPT:
            yield json.dumps({"supported": not (self.record.get("abstain_reason") or "").startswith(REFUSED)})
        else:
            yield json.dumps(self._reply(user))

    @property
    def prompts(self) -> list[str]:
        """Each answer prompt given, with its schema."""
        answering = [(u, schema) for system, u, schema in self.given if system not in (REWRITE_PROMPT, VERIFY_PROMPT)]
        return [f"{user}\n{json.dumps(schema, sort_keys=True)}" for user, schema in answering]

    def _reply(self, prompt: str) -> dict[str, Any]:
        """The recorded draft, citing the prompt's numbered sentences that hold a recorded quote (or,
        with none recorded, the draft); no answer when the record has no draft."""
        draft = self.record.get("draft") or ""
        if not draft:
            return {"evidence": [], "answer": "", "answerable": False}
        quotes = [" ".join(c["quote"].split())[:60] for c in self.record.get("citations", [])]
        cited = [
            number
            for number, text in numbered_sentences(prompt).items()
            if (
                any(q in text or q in NAME_SHOWN.sub("", text) for q in quotes)
                if quotes
                else draft.lower() in text.lower()
            )
        ]
        return {"evidence": cited[:3] or [1], "answer": draft, "answerable": True}


def numbered_sentences(prompt: str) -> dict[int, str]:
    """The numbered evidence sentences of an answer prompt (``[n] text`` lines), by number."""
    return {int(n): text for n, text in re.findall(r"^\[(\d+)\] (.*)$", prompt, flags=re.MULTILINE)}


def asked(record: dict[str, Any], index_dir: Path, settings: Settings) -> tuple[RecordedModel, Answer]:
    """One recorded question through this code: the recorded model, with the prompts it was given, and the answer."""
    model = RecordedModel(record)
    history = [Turn(q) for q in record.get("history", [])]
    answer = ask(record["question"], history=history, index_dir=index_dir, settings=settings, generator=model)
    return model, answer


def replay(record: dict[str, Any], index_dir: Path, settings: Settings) -> dict[str, Any]:
    """One recorded question through this code: its answer prompt's digest and its outcome."""
    model, answer = asked(record, index_dir, settings)
    prompt = hashlib.sha256(model.prompts[0].encode()).hexdigest()[:16] if model.prompts else None
    return {"prompt": prompt, "text": answer.text, "abstained": answer.abstained, "reason": answer.reason}


Recorded = tuple[Path, Path, dict[str, Any]]  # a run's records.json, the index of its corpus, one record


def recorded(paths: Sequence[Path], index_dir: Path | None, settings: Settings) -> Iterator[Recorded]:
    """Each question record of the runs at ``paths``, with the index of its run's corpus (``index_dir``,
    or the one ``qa eval`` built there, brought up to date first)."""
    for path in paths:
        run = json.loads(path.read_text(encoding="utf-8"))
        corpus = Path(run["corpus"])
        folder = index_dir or default_index_dir(settings, corpus)
        build_index(corpus, folder, settings=settings, progress=False)
        for record in run["records"]:
            yield path, folder, record


def replay_runs(paths: Sequence[Path], index_dir: Path | None, settings: Settings) -> dict[str, dict[str, Any]]:
    """Every question of the runs at ``paths``, by run and id ("blind11/t01": two sets may use the same
    ids; the run is the folder of its records.json)."""
    runs = recorded(paths, index_dir, settings)
    return {f"{path.parent.name}/{record['id']}": replay(record, folder, settings) for path, folder, record in runs}


def unrecorded(paths: Sequence[Path]) -> Iterator[tuple[str, dict[str, Any]]]:
    """Each gold question of the files at ``paths`` as a record of a run that wrote nothing: searched
    as written, no draft. Keyed by file and id ("blind11/t01")."""
    for path in paths:
        for q in load_questions(path):
            record = {"id": q.id, "question": q.question, "history": list(q.history), "search_question": q.question}
            yield f"{path.stem}/{q.id}", record


def replay_questions(paths: Sequence[Path], index_dir: Path | None, settings: Settings) -> dict[str, dict[str, Any]]:
    """Every gold question of the files at ``paths``, unrecorded, through this code over the seeds."""
    folder = index_dir or default_index_dir(settings, SEEDS)
    build_index(SEEDS, folder, settings=settings, progress=False)
    return {key: replay(record, folder, settings) for key, record in unrecorded(paths)}


def diff(old: dict[str, dict[str, Any]], new: dict[str, dict[str, Any]]) -> tuple[list[str], list[str]]:
    """The ids whose answer prompt changed, and the ids whose outcome changed with the prompt unchanged."""
    shared = [i for i in old if i in new]
    prompts = [i for i in shared if old[i]["prompt"] != new[i]["prompt"]]
    outcomes = [i for i in shared if i not in prompts and _outcome(old[i]) != _outcome(new[i])]
    return prompts, outcomes


def _outcome(replayed: dict[str, Any]) -> tuple[Any, ...]:
    return replayed["abstained"], replayed["text"], replayed["reason"]


def study_parser(prog: str, doc: str, name: str) -> argparse.ArgumentParser:
    """The command line of a study of recorded runs (``evals.second_look``, ``evals.sentence_choice``):
    the runs' records.json files, the folder for its ``name``.json, .md and .png, and the index."""
    parser = argparse.ArgumentParser(prog=prog, description=doc.split("\n\n")[0])
    parser.add_argument("records", nargs="+", type=Path, help="records.json files of qa eval runs")
    parser.add_argument("--out", type=Path, required=True, help=f"folder for {name}.json, .md and .png")
    parser.add_argument("--index", type=Path, help="the index to search (default: the one qa eval built)")
    return parser


def write_study(out: Path, name: str, rows: Sequence[Any], text: str, plot: Callable[[Path], None]) -> None:
    """Writes a study's rows (dataclasses) as ``name``.json, its summary ``text`` as .md and its plot
    as .png into the folder ``out``, and prints the summary."""
    out.mkdir(parents=True, exist_ok=True)
    (out / f"{name}.json").write_text(json.dumps([asdict(row) for row in rows], indent=1), encoding="utf-8")
    (out / f"{name}.md").write_text(text, encoding="utf-8")
    plot(out / f"{name}.png")
    print(text, file=sys.stderr)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m evals.replay", description=__doc__.split("\n\n")[0])
    parser.add_argument("records", nargs="*", type=Path, help="records.json files of qa eval runs")
    parser.add_argument("--out", type=Path, help="where to write the replayed outcomes (JSON)")
    parser.add_argument("--index", type=Path, help="the index to search (default: the one qa eval built)")
    parser.add_argument("--questions", nargs="+", type=Path, help="gold question files, replayed unrecorded")
    parser.add_argument("--diff", nargs=2, type=Path, metavar=("OLD", "NEW"), help="compare two replays")
    args = parser.parse_args(argv)
    if args.diff:
        old, new = (json.loads(p.read_text(encoding="utf-8")) for p in args.diff)
        prompts, outcomes = diff(old, new)
        print(f"prompt changed ({len(prompts)}): {' '.join(prompts)}")
        print(f"outcome changed, same prompt ({len(outcomes)}): {' '.join(outcomes)}")
        for i in outcomes:
            print(f"  {i}: {_outcome(old[i])} -> {_outcome(new[i])}")
        return 0
    if not (args.records or args.questions) or not args.out:
        parser.error("give records.json files or --questions, and --out; or --diff OLD NEW")
    settings = Settings.from_env()
    replayed = replay_runs(args.records, args.index, settings)
    if args.questions:
        replayed |= replay_questions(args.questions, args.index, settings)
    args.out.write_text(json.dumps(replayed, indent=1), encoding="utf-8")
    print(f"{len(replayed)} questions replayed into {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
