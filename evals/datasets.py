"""What an evaluation runs over: a corpus folder and gold questions about it, from a JSON Lines gold
file (``evals/questions.jsonl`` over ``seeds/`` by default) or a SQuAD-format file (its articles in
``docs/`` beside it), all of them or a seeded sample."""

from __future__ import annotations

import hashlib
import json
import random
from dataclasses import asdict, dataclass
from pathlib import Path

from evals.gold import QUESTIONS, SEEDS, GoldQuestion, load_questions
from evals.squad import squad_gold


@dataclass(frozen=True, slots=True)
class Dataset:
    name: str  # names the baseline profile: "seeds", "squad-dev-v1.1-sample300-seed0", ...
    corpus: Path
    questions: tuple[GoldQuestion, ...]

    @property
    def fingerprint(self) -> str:
        """sha256 of the questions as evaluated: a baseline made over other questions is not comparable."""
        rows = json.dumps([asdict(q) for q in self.questions], sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(rows.encode()).hexdigest()


def sample_questions(questions: list[GoldQuestion], n: int, seed: int) -> list[GoldQuestion]:
    """``n`` of the questions drawn with ``random.Random(seed)``, in their file order."""
    if n < 1:
        raise ValueError(f"sample must be greater than 0. Currently, sample is {n}")
    if n >= len(questions):
        return questions
    picked = set(random.Random(seed).sample(range(len(questions)), n))
    return [q for i, q in enumerate(questions) if i in picked]


def load_dataset(
    questions: Path | None = None, corpus: Path | None = None, sample: int | None = None, seed: int = 0
) -> Dataset:
    """The dataset of a gold file (``.jsonl``) or a SQuAD file (``.json``); ``ValueError`` when the
    files are missing, malformed, or name gold files the corpus does not hold."""
    path = questions or QUESTIONS
    if path.suffix == ".json":
        gold = squad_gold(path)
        folder = corpus or path.parent / "docs"
        name = f"squad-{path.stem}"
    else:
        gold = load_questions(path)
        folder = corpus or SEEDS
        name = folder.name if path == QUESTIONS else f"{folder.name}-{path.stem}"
    if not folder.is_dir():
        raise ValueError(f"corpus folder {str(folder)!r} does not exist")
    missing = sorted({s for q in gold for s in q.sources if not (folder / s).is_file()})
    if missing:
        shown = ", ".join(missing[:5]) + (f" and {len(missing) - 5} more" if len(missing) > 5 else "")
        raise ValueError(f"the questions cite files that {str(folder)!r} does not hold: {shown}")
    if sample is not None:
        gold = sample_questions(gold, sample, seed)
        name += f"-sample{sample}-seed{seed}"
    return Dataset(name, folder, tuple(gold))
