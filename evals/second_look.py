"""How sure the second look is, and what a threshold on it trades (``verify_threshold``).

Each recorded question (``records.json`` of ``qa eval`` runs) is replayed through this checkout
(``evals.replay``) to rebuild the second-look prompt its draft got; the local model then says how
sure it is that the cited sentences state that draft (``true_probability``). Drafts are right (an
accepted answer), wrong (an answerable question, no accepted answer) or to an unanswerable question.
For each threshold: how many of each the second look would let through. A few minutes per 500 drafts.

    python -m evals.second_look RECORDS.json... --out DIR [--index DIR]
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

from tqdm import tqdm

from evals.gold import holds
from evals.replay import asked, recorded, study_parser, write_study
from qa.answer import VERIFY_PROMPT
from qa.ask import make_generator
from qa.config import Settings
from qa.generate import Judge

THRESHOLDS = (0.3, 0.4, 0.45, 0.5, 0.55, 0.6, 0.7, 0.8)
KINDS = ("right", "wrong", "unanswerable")


@dataclass(frozen=True, slots=True)
class Look:
    """One question's first second look: the draft's kind and how sure the model was that it holds."""

    run: str  # the folder of the run's records.json
    id: str
    kind: str  # one of KINDS
    sureness: float


def draft_kind(record: dict[str, Any]) -> str:
    gold = record["gold_answers"]
    if not gold:
        return "unanswerable"
    return "right" if holds(record.get("draft") or "", gold) else "wrong"


def looks(paths: Sequence[Path], judge: Judge, index_dir: Path | None, settings: Settings) -> list[Look]:
    """Every recorded question's first second look, judged. The prompts are all rebuilt first and then
    judged one after another: the model's threads do not then wait for the embedder's."""
    checks = []
    for path, folder, record in recorded(paths, index_dir, settings):
        model, _ = asked(record, folder, settings)
        if given := [user for system, user, _ in model.given if system == VERIFY_PROMPT]:
            checks.append((path.parent.name, record["id"], draft_kind(record), given[0]))
    return [
        Look(run, id_, kind, judge.true_probability(VERIFY_PROMPT, check, "supported"))
        for run, id_, kind, check in tqdm(checks, desc="second looks", unit="draft")
    ]


def auc(high: Sequence[float], low: Sequence[float]) -> float:
    """The chance that a draft of ``high`` gets more sureness than one of ``low`` (ties count half)."""
    pairs = [(h > lo) + 0.5 * (h == lo) for h in high for lo in low]
    return sum(pairs) / len(pairs) if pairs else float("nan")


def by_kind(found: Sequence[Look]) -> dict[str, list[float]]:
    """The sureness of the drafts of each kind."""
    return {k: [x.sureness for x in found if x.kind == k] for k in KINDS}


def summary(found: Sequence[Look]) -> str:
    by = by_kind(found)
    lines = [
        f"{len(found)} drafts checked: {', '.join(f'{len(by[k])} {k}' for k in KINDS)}. AUC right vs the rest "
        f"{auc(by['right'], by['wrong'] + by['unanswerable']):.3f}, vs wrong {auc(by['right'], by['wrong']):.3f}, "
        f"vs unanswerable {auc(by['right'], by['unanswerable']):.3f}.",
        "",
        "| threshold | right drafts kept | wrong drafts kept | drafts to unanswerable questions kept |",
        "|---|---|---|---|",
    ]
    for t in THRESHOLDS:
        kept = [sum(s >= t for s in by[k]) for k in KINDS]
        lines.append(
            f"| {t:.2f} | " + " | ".join(f"{n} of {len(by[k])}" for n, k in zip(kept, KINDS, strict=True)) + " |"
        )
    return "\n".join(lines) + "\n"


def plot(found: Sequence[Look], path: Path) -> None:
    from matplotlib.figure import Figure

    fig = Figure(figsize=(10, 4))
    left, right = fig.subplots(1, 2)
    steps = [i / 100 for i in range(101)]
    colours = {"right": "#3070b0", "wrong": "#d07030", "unanswerable": "#909090"}
    for kind, values in by_kind(found).items():
        right.plot(
            steps, [sum(v >= t for v in values) for t in steps], label=f"{kind} ({len(values)})", color=colours[kind]
        )
        left.hist(values, bins=20, range=(0, 1), alpha=0.6, label=kind, color=colours[kind])
    left.set_xlabel("sureness the cited sentences state the draft")
    left.set_ylabel("drafts")
    left.legend()
    right.axvline(0.5, color="black", linestyle=":", linewidth=1)
    right.set_xlabel("verify_threshold (0.5: the greedy reply, the default)")
    right.set_ylabel("drafts kept")
    right.legend()
    fig.suptitle("The second look: how sure the model is, and what a threshold keeps")
    fig.tight_layout()
    fig.savefig(path, dpi=100)


def main(argv: Sequence[str] | None = None) -> int:
    parser = study_parser("python -m evals.second_look", __doc__, "second_look")
    args = parser.parse_args(argv)
    settings = Settings.from_env()
    judge = make_generator(settings.with_(answer_backend="local"))
    if not isinstance(judge, Judge):
        parser.error("the local model is needed to say how sure it is")
    found = looks(args.records, judge, args.index, settings)
    write_study(args.out, "second_look", found, summary(found), partial(plot, found))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
