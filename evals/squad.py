"""SQuAD v1.1 dev as a retrieval benchmark: loading its questions with their gold article."""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from pathlib import Path

from evals.gold import GoldQuestion

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


def squad_gold(path: Path) -> list[GoldQuestion]:
    """The questions of a SQuAD-format file as gold questions over its ``docs/`` folder: every one
    answerable, its gold file the article's ``<title>.txt``, its accepted answers SQuAD's."""
    if not path.is_file():
        raise ValueError(f"SQuAD file {str(path)!r} does not exist")
    try:
        questions = load_squad(path)
    except (json.JSONDecodeError, KeyError, TypeError) as exc:
        raise ValueError(f"{path} is not a SQuAD-format file ({exc.__class__.__name__}: {exc})") from None
    if not questions:
        raise ValueError(f"SQuAD file {str(path)!r} holds no questions")
    return [GoldQuestion(q.qid, "squad", q.question, q.answers, (q.source,)) for q in questions]
