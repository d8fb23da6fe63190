"""Who "the foreign secretary" or "he" is: the name an article gives a party that one of its
sentences calls only by a role or a pronoun.

"Also on Tuesday, the foreign secretary met outgoing Afghan ambassador Atif Mashal" answers "Which
Pakistani official met Atif Mashal?" only with the article's "Foreign Secretary Sohail Mahmood"
beside it. For a question that asks for a person, the answer model is shown such a sentence with the
name put in after the party ("the foreign secretary (Sohail Mahmood) met ..."), and an answer that
gives the name cites the sentence and the one that names the party. Pure functions over text.

A role is named by the article's title written before a name ("Foreign Secretary Sohail Mahmood" for
"the foreign secretary", "Russian Foreign Minister Sergey Lavrov" for "the Russian FM"), the nearest
one before the sentence (else the first after it). A pronoun that speaks ("... ,\u201d he said") is
named by the speaker of the nearest earlier sentence of its paragraph that names one
(``qa.attribution.speaker_before``)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from functools import lru_cache

from qa.attribution import PERSON_ROLES, names_someone, speaker_before, speakers
from qa.chunking import sentence_spans
from qa.evidence import Evidence, content_terms
from qa.spans import wordset
from qa.types import Chunk

# "Which Pakistani prime minister": the role asked for, its head last.
_WHICH_ROLE = r"which\s+(?:[\w.-]+\s+){0,3}?(" + "|".join(PERSON_ROLES) + r")\b"
# A question for a person: "Who ...?", "Which Pakistani minister ...?".
PERSON_QUESTION = re.compile(r"^\s*(?:who|whom)\b|^\s*" + _WHICH_ROLE, re.IGNORECASE)
# The role asked for: "Which Pakistani minister ...?", "Who was Afghanistan's president ...?".
_WHO_IS_ROLE = r"who\s+(?:is|was|are|were)\s+(?:[\w.\u2019'-]+\s+){0,3}?(" + "|".join(PERSON_ROLES) + r")\b"
_ASKED_ROLE = re.compile(r"\b" + _WHICH_ROLE + r"|\b" + _WHO_IS_ROLE, re.IGNORECASE)
_HEADS = "(?i:secretary|minister|spokesperson|spokesman|spokeswoman|president|premier|ambassador|envoy|chief)|FM|PM"
# "the foreign secretary", "The prime minister", "the Russian FM", "The Secretary of State": "the", up to
# two words, a role (with what it is "of"); not one followed by a name ("the Foreign Secretary Sohail
# Mahmood" is named already).
_ROLE = re.compile(r"\b[Tt]he\s+((?:[A-Za-z]+\s+){0,2}?(?:" + _HEADS + r")(?:\s+of\s+[A-Z][a-z]+)?+)\b(?!\s+[A-Z])")
_SPELLED = {"fm": "foreign minister", "pm": "prime minister"}
_ANY_ROLE = wordset("official officials leader officer member head")  # "Which Pakistani official ...?"
# The words of a role besides its head ("foreign" of "foreign minister").
ROLE_WORDS = wordset("foreign prime defence defense interior finance army deputy vice chief state")
_NAME = r"(?P<name>[A-Z][\w\u2019'-]*(?:\s+[A-Z][\w\u2019'-]*){0,3})"
_PRONOUN = re.compile(r"\b(?:he|she)\b", re.IGNORECASE)
# A name as ``with_names`` shows it after its party: "the foreign secretary (Sohail Mahmood) met".
NAME_SHOWN = re.compile(r" \([^()]*\)")


@dataclass(frozen=True, slots=True)
class Naming:
    """The name of a party an evidence sentence writes only as a role or a pronoun."""

    number: int  # the evidence sentence
    end: int  # where the party ends in that sentence's text
    name: str  # "Sohail Mahmood"
    sentence: Evidence  # the article's sentence that gives the name, numbered after the evidence shown


def asks_for_person(question: str) -> bool:
    """Whether a sentence of ``question`` asks for a person ("... with David Hale. Which Pakistani
    minister briefed Lavrov?")."""
    text = question.strip()
    return any(PERSON_QUESTION.search(text[s:e]) for s, e in sentence_spans(text) or [(0, len(text))])


# A question that asks who or what someone is ("Who is Marco Rubio?"): a title is its answer.
_IDENTITY = re.compile(r"(?:^|[.?!]\s+)(?:who|what)\s+(?:is|was|are|were)\b", re.IGNORECASE)
_TITLE_TERMS = content_terms(" ".join([*PERSON_ROLES, *ROLE_WORDS, "states", "u.s.", "us"]))


def names_only_asked(answer: str, question: str) -> bool:
    """Whether ``answer`` names only someone the question names, with titles ("Secretary of State Marco
    Rubio" for "Whom was Marco Rubio getting ready to call?"). Never for a question that asks who
    someone is ("Who is Marco Rubio?"), nor for one of the people a question offers ("Who spoke first,
    Lavrov or Qureshi?": ``qa.answer.picks_alternative``, which the caller checks)."""
    if _IDENTITY.search(question.strip()) or not names_someone(answer):
        return False
    asked, own = content_terms(question), content_terms(answer)
    last = content_terms(answer.split()[-1])
    return bool(last) and last <= asked and own - asked <= _TITLE_TERMS


def article_text(chunks: Sequence[Chunk]) -> str:
    """A file's text rebuilt from its chunks, each at its own offsets, a line break in every gap:
    offsets into it are offsets into the file."""
    parts, at = [], 0
    for chunk in sorted(chunks, key=lambda c: c.start):
        if chunk.end > at:  # chunks may overlap
            parts.append("\n" * (chunk.start - at) + chunk.text[max(0, at - chunk.start) :])
            at = chunk.end
    return "".join(parts)


def namings(evidence: Sequence[Evidence], articles: dict[str, str], question: str) -> list[Naming]:
    """For each evidence sentence, the name of its first party written only as a role or a pronoun,
    when its article gives one that the sentence does not already hold; the naming sentences are
    numbered after the evidence, one number per sentence. A role the ``question`` writes itself is
    left unnamed ("Who else did Pakistan's foreign secretary meet?" is not answered by his name), as is
    one other than the role it asks for ("Which prime minister ...?" and "the foreign secretary")."""
    numbers: dict[tuple[str, int], int] = {}
    found = []
    asked, wanted = _role_words(question), _asked_role(question)
    for e in evidence:
        article = articles.get(e.source, "")
        for end, name, (start, stop), role in _parties(e, article):
            if name.lower() in e.text.lower() or start == e.start:
                continue
            if role and (role <= asked or not wanted <= role):
                continue
            number = numbers.setdefault((e.source, start), len(evidence) + len(numbers) + 1)
            sentence = Evidence(number, e.source, article[start:stop], start, stop, 0.0)
            found.append(Naming(e.number, end, name, sentence))
            break
    return found


def with_names(evidence: Sequence[Evidence], found: Sequence[Naming]) -> list[Evidence]:
    """The evidence as the answer model is shown it: each named party followed by its name in parentheses."""
    by_number = {n.number: n for n in found}
    shown = []
    for e in evidence:
        n = by_number.get(e.number)
        shown.append(replace(e, text=f"{e.text[: n.end]} ({n.name}){e.text[n.end :]}") if n else e)
    return shown


def _parties(e: Evidence, article: str) -> list[tuple[int, str, tuple[int, int], set[str]]]:
    """Each party of the sentence ``e`` written as a role or a speaking pronoun that the article
    names: where it ends in the sentence, the name, the span of the sentence that names it, and the
    role's words (none for a pronoun)."""
    found = []
    for match in _ROLE.finditer(e.text):
        named = _titled_name(match.group(1), article, e.start)
        if named:
            found.append((match.end(), *named, _role_words(match.group(1))))
    if any(_PRONOUN.fullmatch(s) for s in speakers(e.text)):
        pronoun = _PRONOUN.search(e.text)
        named = speaker_before(e.text, article, e.start)
        if pronoun and named:
            found.append((pronoun.end(), *named, set()))
    return sorted(found, key=lambda party: party[0])


def _role_words(text: str) -> set[str]:
    """The role words of ``text``, abbreviations spelled out: {"foreign", "minister"} of "the Russian FM"."""
    words = " ".join(_SPELLED.get(w, w) for w in re.findall(r"[\w-]+", text.lower())).split()
    return {w for w in words if w in ROLE_WORDS or w in PERSON_ROLES}


def _asked_role(question: str) -> set[str]:
    """The role words of the role a "Which ... <role>?" or "Who was ... <role>?" question asks for;
    none for any official."""
    match = _ASKED_ROLE.search(question)
    if match is None or (match.group(1) or match.group(2)).lower() in _ANY_ROLE:
        return set()
    return _role_words(match.group(0))


def _titled_name(role: str, article: str, at: int) -> tuple[str, tuple[int, int]] | None:
    """The name the article writes right after ``role`` as a title ("Foreign Secretary Sohail
    Mahmood"), the nearest before offset ``at`` (else the first after it), with its sentence's span."""
    words = [_SPELLED.get(w.lower(), w) for w in role.split()]
    title = re.compile(r"(?i:\b" + r"\s+".join(map(re.escape, " ".join(words).split())) + r")\s+" + _NAME)
    matches = list(title.finditer(article))
    before = [m for m in matches if m.start() < at]
    match = before[-1] if before else next(iter(matches), None)
    if match is None:
        return None
    name = re.sub(r"[\u2019']s$", "", match.group("name"))
    span = next(((s, e) for s, e in _sentences(article) if s <= match.start() < e), None)
    return (name, span) if span else None


@lru_cache(maxsize=16)
def _sentences(article: str) -> tuple[tuple[int, int], ...]:
    """The sentence spans of an article, split once per article (and process)."""
    return tuple(sentence_spans(article))
