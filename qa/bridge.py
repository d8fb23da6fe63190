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

from qa.evidence import Evidence, content_terms, key_terms, split_hits
from qa.types import Hit

# A statement before the question ("Harkirpal Singh says ... . How many ...?"), its full stop before or
# inside a closing quote ("... the \u2018factor of stability\u2019.", "... its \"semiautonomous status.\""),
# or before a semicolon.
_PART_BREAK = re.compile(r"(?:(?<=[a-z0-9\u201d\u2019\"')][.!])|(?<=[a-z0-9][.!][\u201d\u2019\"']))\s+(?=[A-Z])|;\s+")
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
    and a relative clause of that sentence (to its end); "" when it has none."""
    parts = _PART_BREAK.split(question.strip())
    given, asking = parts[:-1], parts[-1]
    for match in _RELATIVE.finditer(asking):
        if not _NOT_A_CLAUSE_BEFORE.search(asking[: match.start()]):
            given.append(asking[match.start() :].strip())
            break
    return " ".join(given)


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
