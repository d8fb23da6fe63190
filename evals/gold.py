"""The gold question set and how one answer is judged against it."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from qa.answer import markers_in
from qa.types import Answer

QUESTIONS = Path(__file__).resolve().parent / "questions.jsonl"
SEEDS = Path(__file__).resolve().parent.parent / "seeds"  # the corpus the gold set is written over


@dataclass(frozen=True, slots=True)
class GoldQuestion:
    id: str
    kind: str  # fact, number, date, quote, two-article, follow-up, unanswerable
    question: str
    answers: tuple[str, ...]  # accepted answers; an answer is correct when its text holds one
    sources: tuple[str, ...]  # files that support them
    history: tuple[str, ...] = ()

    @property
    def answerable(self) -> bool:
        return bool(self.answers)


def load_questions(path: Path = QUESTIONS) -> list[GoldQuestion]:
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [
        GoldQuestion(r["id"], r["kind"], r["question"], tuple(r["answers"]), tuple(r["sources"]), tuple(r["history"]))
        for r in rows
    ]


@dataclass(frozen=True, slots=True)
class Verdict:
    correct: bool  # answerable: an accepted answer in the text; unanswerable: abstained
    cited_right_file: bool  # at least one citation, all to gold files
    markers_valid: bool  # every [n] in the text is a citation, quotes verbatim in their files
    abstained: bool
    reasons: tuple[str, ...] = field(default=())

    @property
    def passed(self) -> bool:
        return self.correct and self.markers_valid and (self.cited_right_file or self.abstained)


def judge(question: GoldQuestion, answer: Answer, corpus_dir: Path) -> Verdict:
    reasons = []
    markers = markers_in(answer.text)
    cited = {c.marker for c in answer.citations}
    valid = set(markers) == cited
    for c in answer.citations:
        text = (corpus_dir / c.source).read_text(encoding="utf-8", errors="replace")
        if text[c.start : c.end] != c.quote:
            valid = False
    if not valid:
        reasons.append("invalid marker or quote")
    if question.answerable:
        text = answer.text.lower()
        correct = not answer.abstained and any(a.lower() in text for a in question.answers)
        right_file = bool(answer.citations) and all(c.source in question.sources for c in answer.citations)
        if answer.abstained:
            reasons.append("refused an answerable question")
        elif not correct:
            reasons.append("no accepted answer in the text")
        if not answer.abstained and not right_file:
            reasons.append("cited a file outside the gold sources")
    else:
        correct = answer.abstained
        right_file = False
        if not correct:
            reasons.append("answered an unanswerable question")
    return Verdict(correct, right_file, valid, answer.abstained, tuple(reasons))
