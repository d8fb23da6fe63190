"""Questions that point at a thing by what another article says of it ("How many troops died in the
attack that led to India's Balakot strikes?", "Harkirpal Singh says a 2019 attack led to the Balakot
strikes. How many troops died in that attack?"): the part of the question that only describes, and the
sentence of another article that says what it describes, to cite beside the answer's own sentence.

Pure functions over text. Only a describing part is bridged: a question whose asking part names
something no cited article mentions ("What did Imran Khan say about the Pahalgam attack?", answered
from an article without Pahalgam) still abstains."""

from __future__ import annotations

import re
from collections.abc import Sequence

from qa.chunking import sentence_spans
from qa.evidence import Evidence, content_terms, key_terms, split_hits
from qa.types import Hit

# A clause break inside a sentence: "Mahmood told Hale that Pakistan backed the talks; in which city ...?"
_CLAUSE_BREAK = re.compile(r";\s+")
# A sentence that asks, its question mark before or inside a closing quote.
_ASKS = re.compile(r"\?[\u201d\u2019\"')]*$")
# A relative clause after a noun: "the attack that led to ...", "the city where ...", "the president who
# shared ...". "that" only when a verb follows (not "that attack"). "which" is left out: it mostly asks
# ("In which city ...", "... with which Afghan group"); so is a relative word after a preposition.
_RELATIVE = re.compile(
    r"(?<=[a-z\u2019'])\s+(?:who|whose|where"
    r"|that(?=\s+(?:\w+ed|is|was|are|were|has|had|led|met|said|says|made|took|gave|held|holds|won)\b))\s",
)
_NOT_A_CLAUSE_BEFORE = re.compile(r"\b(?:in|on|at|by|for|with|from|to|of|under|during|after|before|and|or)$", re.I)


def described_part(question: str) -> str:
    """The words of ``question`` that describe rather than ask: the statements before its last sentence
    (split as the articles are, ``sentence_spans``, and at semicolons; a statement after a sentence
    that asks is part of the asking: "Which is larger? Give that figure.") and a relative clause of the
    last (to its end); "" when it has none."""
    text = question.strip()
    parts = [part for s, e in sentence_spans(text) for part in _CLAUSE_BREAK.split(text[s:e])] or [text]
    first_asking = next((i for i, part in enumerate(parts) if _ASKS.search(part)), len(parts) - 1)
    given, asking = parts[:first_asking], " ".join(parts[first_asking:])
    for match in _RELATIVE.finditer(asking):
        if not _NOT_A_CLAUSE_BEFORE.search(asking[: match.start()]):
            given.append(asking[match.start() :].strip())
            break
    return " ".join(given)


def asking_sentences(question: str) -> str:
    """The sentences of ``question`` from the first that asks ("According to Harkirpal Singh, which ...?"
    of "VOA says .... According to Harkirpal Singh, which ...?"), from its clause that asks when a
    semicolon parts it ("Harkirpal Singh reports ...; in which month ...?"); the whole question when
    none asks. Unlike ``asking_part``, never the sentences before, even when the asking part points back."""
    text = question.strip()
    spans = sentence_spans(text)
    first = next((s for s, e in spans if _ASKS.search(text[s:e])), None)
    if first is None:
        return text
    clauses = _CLAUSE_BREAK.split(text[first:])
    return "; ".join(clauses[next(i for i, c in enumerate(clauses) if "?" in c) :])


# An asking sentence that cannot be read without the sentences before it: a word that points back at
# them ("Who was that?", "What name does his article give those strikes?") or a choice between what
# they name ("What was the smaller one?", "the lower of the two tolls"). "that" counts only where it
# cannot be a conjunction (ending the sentence, or after "is"/"was"), so "in that attack" does not.
_REFERS_BACK = re.compile(
    r"\b(?:it|its|he|him|his|she|her|they|them|their|this|these|those|there|then|one|ones)\b"
    r"|\bthat\s*[?.]|\b(?:was|is|were|are)\s+that\b|\bof\s+the\s+(?:two|three|both)\b",
    re.IGNORECASE,
)


def asking_part(question: str) -> str:
    """The sentences of ``question`` from the first that asks, when those before it only say what
    another article says and the asking part does not point back at them ("Pakistan told David Hale it
    backs an Afghan-led peace process. According to Russia's foreign ministry, which movement should take
    part in an inclusive Afghan government?" asks its second sentence); else the whole question."""
    text = question.strip()
    spans = sentence_spans(text)
    first = next((i for i, (s, e) in enumerate(spans) if _ASKS.search(text[s:e])), None)
    if not first:  # no sentence asks, or the first one does
        return question
    asking = text[spans[first][0] :]
    return question if _REFERS_BACK.search(asking) else asking


def can_bridge(question: str, missing: set[str]) -> bool:
    """Whether every name of ``missing`` is in the part of the question that only describes."""
    described = described_part(question)
    return bool(missing) and bool(described) and missing <= key_terms(" " + described)


def bridge_sentence(
    question: str, missing: set[str], passages: Sequence[Hit], skip: set[str], first_number: int, idf: dict[str, float]
) -> Evidence | None:
    """The sentence of ``passages`` (from files not in ``skip``) that names one of ``missing`` and holds
    most of the describing part's terms (IDF-weighted), numbered ``first_number``; None when none names
    them."""
    described = content_terms(described_part(question))
    best: tuple[float, Evidence] | None = None
    for source, text, start, end, _, _ in split_hits(passages):
        if source in skip or not key_terms(" " + text) & missing:
            continue
        score = sum(idf.get(t, 1.0) for t in described & content_terms(text))
        if best is None or score > best[0]:
            best = (score, Evidence(first_number, source, text, start, end, 0.0))
    return best[1] if best else None
