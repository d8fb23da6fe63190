"""SQuAD v1.1 dev as a retrieval benchmark: loading its questions with their gold article."""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from pathlib import Path

DEFAULT_SQUAD = Path(__file__).resolve().parent.parent.parent / "shared" / "benchmarks" / "squad-v1.1-dev"


@dataclass(frozen=True, slots=True)
class SquadQuestion:
    qid: str
    question: str
    source: str  # the gold article's file in docs/, "<title>.txt"
    answers: tuple[str, ...]


def load_squad(path: Path, sample: int | None = None, seed: int = 0) -> list[SquadQuestion]:
    """The questions of a SQuAD-format file, all of them or a seeded random sample."""
    data = json.loads(path.read_text(encoding="utf-8"))["data"]
    questions = [
        SquadQuestion(qa["id"], qa["question"], f"{article['title']}.txt", tuple(a["text"] for a in qa["answers"]))
        for article in data
        for paragraph in article["paragraphs"]
        for qa in paragraph["qas"]
    ]
    if sample is not None and sample < len(questions):
        questions = random.Random(seed).sample(questions, sample)
    return questions
