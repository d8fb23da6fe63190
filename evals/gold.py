"""The gold question set and how one answer is judged against it.

Rules (no external model judges anything):

- Text matching is SQuAD-style: both sides lower-cased, accents and punctuation removed, the articles
  "a", "an", "the" dropped, white space collapsed; an accepted answer is "in" a text when it occurs
  there as whole words ("26" is not in "260").
- Correct: an answerable question answered (not abstained) with an accepted answer in the text; an
  unanswerable one abstained on.
- Cited the right file: at least one citation, and every cited file among the gold files.
- Markers valid: the ``[n]`` markers of the text are exactly the citations' markers, and every quote
  is verbatim in its file at its offsets (``text[start:end] == quote``).
- Citation recall and precision, ALCE-style with string support instead of an NLI model, judged on
  correct answers only (the claim is the accepted answer the text holds): a set of citations
  *supports* the answer when their quotes, joined, hold that accepted answer. Recall: the citations
  together support it. A citation is *relevant* (precision) when it supports the answer alone, or
  when the others without it no longer do while all of them do.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from qa.answer import markers_in
from qa.types import Answer, Citation

QUESTIONS = Path(__file__).resolve().parent / "questions.jsonl"
SEEDS = Path(__file__).resolve().parent.parent / "seeds"  # the corpus the gold set is written over

_ARTICLES = re.compile(r"\b(?:a|an|the)\b")


@dataclass(frozen=True, slots=True)
class GoldQuestion:
    id: str
    kind: str  # fact, number, date, quote, two-article, follow-up, unanswerable (squad for SQuAD)
    question: str
    answers: tuple[str, ...]  # accepted answers; an answer is correct when its text holds one
    sources: tuple[str, ...]  # files that support them
    history: tuple[str, ...] = ()

    @property
    def answerable(self) -> bool:
        return bool(self.answers)


def load_questions(path: Path = QUESTIONS) -> list[GoldQuestion]:
    """The questions of a JSON Lines gold file; a malformed line is a ``ValueError`` naming it."""
    if not path.is_file():
        raise ValueError(f"question file {str(path)!r} does not exist")
    questions = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            r = json.loads(line)
            question = GoldQuestion(
                str(r["id"]),
                str(r.get("kind", "")),
                str(r["question"]),
                tuple(r["answers"]),
                tuple(r["sources"]),
                tuple(r.get("history", ())),
            )
        except (json.JSONDecodeError, KeyError, TypeError) as exc:
            raise ValueError(
                f"{path}:{number}: not a gold question ({exc.__class__.__name__}: {exc}); each line needs "
                'a JSON object with "id", "question", "answers" and "sources"'
            ) from None
        if question.answerable and not question.sources:
            raise ValueError(f"{path}:{number}: question {question.id} has answers but no source files")
        questions.append(question)
    if not questions:
        raise ValueError(f"question file {str(path)!r} holds no questions")
    ids = [q.id for q in questions]
    if len(set(ids)) != len(ids):
        raise ValueError(f"question file {str(path)!r} repeats ids: {sorted({i for i in ids if ids.count(i) > 1})}")
    return questions


def normalize(text: str) -> str:
    """Lower case, no accents, punctuation as spaces, no articles, single spaces."""
    decomposed = unicodedata.normalize("NFKD", unicodedata.normalize("NFKD", text).lower())
    kept = "".join(
        " " if unicodedata.category(ch).startswith("P") else ch for ch in decomposed if not unicodedata.combining(ch)
    )
    return " ".join(_ARTICLES.sub(" ", kept).split())


def holds(text: str, answers: Sequence[str]) -> list[str]:
    """The accepted answers that occur in ``text`` as whole words, after ``normalize``."""
    padded = f" {normalize(text)} "
    return [a for a in answers if normalize(a) and f" {normalize(a)} " in padded]


@dataclass(frozen=True, slots=True)
class Verdict:
    correct: bool  # answerable: an accepted answer in the text; unanswerable: abstained
    cited_right_file: bool  # at least one citation, all to gold files
    markers_valid: bool  # every [n] in the text is a citation, quotes verbatim in their files
    abstained: bool
    reasons: tuple[str, ...] = field(default=())
    supported: bool | None = None  # citation recall: the citations hold the accepted answer (None: not judged)
    relevant_citations: int | None = None  # citation precision: how many citations are relevant
    citations: int = 0

    @property
    def passed(self) -> bool:
        return self.correct and self.markers_valid and (self.cited_right_file or self.abstained)


def citation_support(claims: Sequence[str], citations: Sequence[Citation]) -> tuple[bool, int]:
    """Whether the citations together support the claims (any of them), and how many citations are
    relevant (ALCE: supports alone, or is needed by the rest)."""

    def supports(subset: Sequence[Citation]) -> bool:
        return bool(subset) and bool(holds(" ".join(c.quote for c in subset), claims))

    together = supports(citations)
    relevant = sum(
        1
        for i, c in enumerate(citations)
        if supports([c]) or (together and not supports([*citations[:i], *citations[i + 1 :]]))
    )
    return together, relevant


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
    supported: bool | None = None
    relevant: int | None = None
    if question.answerable:
        claims = [] if answer.abstained else holds(answer.text, question.answers)
        correct = bool(claims)
        right_file = bool(answer.citations) and all(c.source in question.sources for c in answer.citations)
        if answer.abstained:
            reasons.append("refused an answerable question")
        elif not correct:
            reasons.append("no accepted answer in the text")
        else:
            supported, relevant = citation_support(claims, answer.citations)
            if not supported:
                reasons.append("the cited sentences do not hold the answer")
        if not answer.abstained and not right_file:
            reasons.append("cited a file outside the gold sources")
    else:
        correct = answer.abstained
        right_file = False
        if not correct:
            reasons.append("answered an unanswerable question")
    return Verdict(
        correct, right_file, valid, answer.abstained, tuple(reasons), supported, relevant, len(answer.citations)
    )
