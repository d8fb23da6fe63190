"""Which sentence the model cites first for a free answer, against which sentences hold an accepted
answer.

Each recorded answerable question whose answer prompt lists no possible answers (a free answer) is
replayed through this checkout (``evals.replay``) to rebuild that prompt; the model then writes the
reply's first field (the evidence numbers) greedily, as answering does. Counted on the questions
where some but not all of the numbered sentences (best-matching first) hold an accepted answer: how
often [1] holds one, and how often the model's first choice does. About three minutes per 300
questions; stop 27 in the README's "Measured" for what it found and what citing [1] first did.

    python -m evals.sentence_choice RECORDS.json... --out DIR [--index DIR]
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from tqdm import tqdm

from evals.gold import holds
from evals.replay import asked, numbered_sentences, recorded, study_parser, write_study
from qa.answer import ANSWER_SCHEMA, SYSTEM_PROMPT
from qa.ask import make_generator
from qa.config import Settings
from qa.generate import Generator

_FIRST_CITED = re.compile(r'"evidence":\s*\[\s*(\d+)')


@dataclass(frozen=True, slots=True)
class Choice:
    """One free-answer question: the sentences holding an accepted answer, and the one the model cites first."""

    run: str  # the folder of the run's records.json
    id: str
    sentences: int  # how many numbered sentences the prompt shows
    holding: tuple[int, ...]  # the numbers of those that hold an accepted answer
    chosen: int | None  # the number the model cites first (None: it wrote no number)

    @property
    def telling(self) -> bool:
        """Whether the choice matters: some sentences hold an accepted answer, and not all do."""
        return 0 < len(self.holding) < self.sentences


def first_cited(reply: str) -> int | None:
    """The first evidence number of a (possibly cut short) JSON reply."""
    found = _FIRST_CITED.search(reply)
    return int(found.group(1)) if found else None


def choices(paths: Sequence[Path], model: Generator, index_dir: Path | None, settings: Settings) -> list[Choice]:
    """The model's first-cited sentence for every recorded free-answer question that has accepted
    answers. The prompts are all rebuilt first and then answered one after another."""
    prompts = []
    for path, folder, record in recorded(paths, index_dir, settings):
        if not record["gold_answers"]:
            continue
        replayed, _ = asked(record, folder, settings)
        free = [user for system, user, schema in replayed.given if system == SYSTEM_PROMPT and schema is ANSWER_SCHEMA]
        if free:
            sentences = numbered_sentences(free[0])
            holding = tuple(n for n, text in sentences.items() if holds(text, record["gold_answers"]))
            prompts.append((path.parent.name, record["id"], len(sentences), holding, free[0]))
    return [
        Choice(
            run,
            id_,
            count,
            holding,
            first_cited("".join(model.stream(SYSTEM_PROMPT, user, schema=ANSWER_SCHEMA, max_tokens=8))),
        )
        for run, id_, count, holding, user in tqdm(prompts, desc="free answers", unit="question")
    ]


def summary(found: Sequence[Choice]) -> str:
    telling = [c for c in found if c.telling]
    passed_over = [c for c in telling if c.chosen != 1]
    first = Counter(min(c.holding) for c in telling)
    chosen = Counter(c.chosen for c in telling)
    lines = [
        f"{len(found)} free-answer questions replayed; in {len(telling)} some but not all of the sentences hold an "
        f"accepted answer. Of those, [1] holds one in {sum(1 in c.holding for c in telling)}, the sentence the model "
        f"cites first in {sum(c.chosen in c.holding for c in telling)}. The model passed over [1] in "
        f"{len(passed_over)}: [1] held an accepted answer in {sum(1 in c.holding for c in passed_over)} of them, its "
        f"choice in {sum(c.chosen in c.holding for c in passed_over)}.",
        "",
        "| sentence | first to hold an accepted answer | cited first by the model |",
        "|---|---|---|",
    ]
    for n in sorted({*first, *(k for k in chosen if k is not None)}):
        lines.append(f"| [{n}] | {first[n]} | {chosen[n]} |")
    if chosen[None]:
        lines.append(f"| none written | | {chosen[None]} |")
    return "\n".join(lines) + "\n"


def plot(found: Sequence[Choice], path: Path) -> None:
    from matplotlib.figure import Figure

    telling = [c for c in found if c.telling]
    numbers = sorted({n for c in telling for n in (*c.holding, c.chosen) if n is not None})
    bars = {
        "holds an accepted answer": [sum(n in c.holding for c in telling) for n in numbers],
        "cited first by the model": [sum(c.chosen == n for c in telling) for n in numbers],
        "cited first and holds one": [sum(c.chosen == n and n in c.holding for c in telling) for n in numbers],
    }
    fig = Figure(figsize=(7, 4))
    ax = fig.subplots()
    width = 0.8 / len(bars)
    for i, (label, counts) in enumerate(bars.items()):
        ax.bar([n + (i - 1) * width for n in numbers], counts, width=width, label=label)
    ax.set_xticks(numbers, [f"[{n}]" for n in numbers])
    ax.set_xlabel("evidence sentence (numbered best-matching first)")
    ax.set_ylabel("questions")
    ax.set_title(f"Free answers, {len(telling)} questions where the choice matters")
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=100)


def main(argv: Sequence[str] | None = None) -> int:
    args = study_parser("python -m evals.sentence_choice", __doc__, "sentence_choice").parse_args(argv)
    settings = Settings.from_env()
    model = make_generator(settings.with_(answer_backend="local"))
    assert model is not None
    found = choices(args.records, model, args.index, settings)
    write_study(args.out, "sentence_choice", found, summary(found), partial(plot, found))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
