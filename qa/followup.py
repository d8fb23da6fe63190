"""Follow-up questions: the conversation's earlier turns, and a follow-up ("What did he say?")
rewritten to stand alone for retrieval."""

from __future__ import annotations

import re
from collections.abc import Sequence

from qa.answer import REWRITE_PROMPT, rewrite_prompt, strip_markers
from qa.generate import Generator
from qa.naming import PERSON_QUESTION
from qa.types import Answer, Turn


def as_turns(history: Sequence[str | Turn] | None) -> list[Turn]:
    """The earlier exchanges, a bare question counting as one without its answer; blank ones dropped."""
    turns = [h if isinstance(h, Turn) else Turn(h) for h in history or []]
    return [t for t in turns if t.question.strip()]


def turn_of(answer: Answer) -> Turn:
    """The exchange an answer makes, for the history of the next question: its text without markers,
    or no answer when it abstained."""
    return Turn(answer.question, "" if answer.abstained else strip_markers(answer.text)[:300])


def standalone_question(question: str, history: Sequence[Turn], generator: Generator | None) -> str:
    """A follow-up rewritten to stand alone, for retrieval. "he" or "she" after a question for a
    person is the name that answered it; otherwise the model rewrites the follow-up. Without a model
    (or when the model replies with nothing useful, or with a statement for a question), the last
    earlier question and its answer are put in front of it."""
    named = with_person_named(question, history[-1])
    if named:
        return named
    fallback = " ".join(part for part in (history[-1].question, history[-1].answer, question) if part)
    if generator is None:
        return fallback
    raw = "".join(generator.stream(REWRITE_PROMPT, rewrite_prompt(question, history), schema=None, max_tokens=48))
    lines = [line.strip() for line in raw.strip().splitlines() if line.strip()]
    rewritten = lines[0] if lines and len(lines[0]) <= 400 else ""
    if not rewritten or (question.rstrip().endswith("?") and not rewritten.endswith("?")):
        return fallback  # the model answered instead ("Michael Kugelman's research group is based in ...")
    return rewritten


_PERSON_PRONOUN = re.compile(r"\b(?:he|she|him)\b", re.IGNORECASE)
_HIS = re.compile(r"\bhis\b", re.IGNORECASE)
# "it" may be the answer or what the question was about; "his country" is Russia, not "Sergey Lavrov's country".
_OTHER_PRONOUN = re.compile(
    r"\b(?:her|hers|himself|herself|it|its|they|them|their)\b|\bhis\s+(?:country|nation)\b", re.IGNORECASE
)
_NAME = re.compile(r"^[A-Z][\w.\u2019'-]*(?:\s+(?:[A-Z][\w.\u2019'-]*|bin|al|de|van|von)){0,4}$")


def with_person_named(question: str, last: Turn) -> str | None:
    """The follow-up with its one "he", "she" or "him" replaced by the name that answered the
    question before, when that question asked for a person and had no such word itself: "What did he
    tweet?" after "Who is the deputy Asia program director?" (Michael Kugelman) is "What did Michael
    Kugelman tweet?"; with none of those, its one "his" is the name's ("What's his job?": "What's
    David Hale's job?"). None when that is not clear: "it" may be the answer or the thing the
    question was about ("In which city was it held?" after "Which country hosted the meeting?")."""
    name = strip_markers(last.answer).strip().rstrip(".")
    pronouns, possessives = _PERSON_PRONOUN.findall(question), _HIS.findall(question)
    if (
        not (len(pronouns) == 1 or (not pronouns and len(possessives) == 1))
        or _OTHER_PRONOUN.search(question)
        or not _NAME.match(name)
        or not PERSON_QUESTION.search(last.question)
        or _PERSON_PRONOUN.search(last.question)
    ):
        return None
    if pronouns:
        return _PERSON_PRONOUN.sub(name, question, count=1)
    return _HIS.sub(f"{name}'s", question, count=1)
