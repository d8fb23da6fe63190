"""Whose side a person is on: the country a question asks a person of ("Which Pakistani official
...?", "Who represented India ...?") and the countries the articles' titles tie a person to
("Russian Foreign Minister Sergey Lavrov", "Russia's foreign minister, Sergey Lavrov").

"Sergey Lavrov" does not answer "Which Pakistani official will sign the protocol?", however well the
cited sentence matches the rest of the question. Pure functions over text; a person no title ties to a
country ("Prime Minister Shehbaz Sharif") never counts against an answer."""

from __future__ import annotations

import re
from collections.abc import Iterable

from qa.attribution import PERSON_ROLES, TITLE_WORD
from qa.naming import ROLE_WORDS
from qa.spans import wordset

# The words that say a country, as written in titles and questions, and the country they say.
_COUNTRIES = {
    "pakistan": "Pakistan",
    "pakistani": "Pakistan",
    "india": "India",
    "indian": "India",
    "russia": "Russia",
    "russian": "Russia",
    "china": "China",
    "chinese": "China",
    "afghanistan": "Afghanistan",
    "afghan": "Afghanistan",
    "u.s.": "the United States",
    "us": "the United States",
    "american": "the United States",
}
_SIDE = r"(?-i:(?P<side>" + "|".join(sorted({w.capitalize() for w in _COUNTRIES} | {"U.S.", "US"})) + r"))"
_ROLES = "|".join(PERSON_ROLES)
_PERSON_ROLES = set(PERSON_ROLES)
_TITLE_WORDS = ROLE_WORDS | wordset("under general")  # "U.S. Under Secretary", "General Bajwa"
# "Which Pakistani official ...?", "Who was India's prime minister ...?", "Who represented India at ...?"
_ASKED_SIDE = (
    re.compile(rf"\b(?:which|what)\s+{_SIDE}(?:['\u2019]s)?\s+(?:[\w-]+\s+){{0,2}}?(?:{_ROLES})s?\b", re.IGNORECASE),
    re.compile(
        rf"\bwho\s+(?:is|was|are|were)\s+(?:the\s+)?{_SIDE}(?:['\u2019]s)?\s+(?:[\w-]+\s+){{0,2}}?(?:{_ROLES})\b",
        re.IGNORECASE,
    ),
    re.compile(rf"^\s*who\b[^?]*?\brepresent(?:s|ed)?\s+{_SIDE}\b", re.IGNORECASE),
)
_CAPITALISED_RUN = re.compile(rf"{TITLE_WORD}(?:\s+{TITLE_WORD})*")


def asked_side(question: str) -> str | None:
    """The country of the person ``question`` asks for ("Pakistan" for "Which Pakistani official ...?");
    None when it asks for no one's country."""
    for pattern in _ASKED_SIDE:
        if match := pattern.search(question):
            return _COUNTRIES[match.group("side").lower()]
    return None


def sides(name: str, text: str) -> set[str]:
    """The countries ``text`` ties the person ``name`` to: by a title written right before the name that
    holds a role ("Russian Foreign Minister Sergey Lavrov", "Foreign Minister of the Russian Federation
    Sergey Lavrov"), or by a role in lower case before it ("Russia's foreign minister, Sergey Lavrov",
    "outgoing Afghan ambassador Atif Mashal")."""
    written = r"\s+".join(re.escape(w) for w in name.split())
    titled = re.compile(rf"((?:{TITLE_WORD}\s+(?:of\s+(?:the\s+)?)?){{1,6}}){written}\b")
    set_before = re.compile(
        rf"\b{_SIDE}(?:['\u2019]s)?\s+(?:[a-z-]+\s+){{0,2}}?(?:{_ROLES}),?\s+((?:{TITLE_WORD}\s+){{0,3}}){written}\b"
    )
    found = set()
    for match in titled.finditer(text):
        words = _words(match.group(1))
        if words & _PERSON_ROLES:
            found |= {_COUNTRIES[w] for w in words if w in _COUNTRIES}
    found |= {_COUNTRIES[m.group("side").lower()] for m in set_before.finditer(text)}
    return found


def other_side(question: str, draft: str, texts: Iterable[str]) -> str:
    """Why ``draft`` does not answer a question for a person of one country: every person it names
    whom the articles (``texts``) or the draft's own title tie to a country is tied to others only
    ("the articles tie Sergey Lavrov to Russia, and the question asks for Pakistan's"); "" when the
    question asks for no country, or the draft names no such person, or one of the country asked."""
    asked = asked_side(question)
    if asked is None:
        return ""
    text = "\n".join(texts)
    asked_names = _words(" ".join(_CAPITALISED_RUN.findall(question)))
    tied: dict[str, set[str]] = {}
    for run in _CAPITALISED_RUN.findall(draft):
        name = _personal_name(run)
        if name and not _words(name) & asked_names:
            own = {_COUNTRIES[w] for w in _words(run) if w in _COUNTRIES}
            if found := sides(name, text) | (own if _words(run) & _PERSON_ROLES else set()):
                tied[name] = found
    if not tied or any(asked in found for found in tied.values()):
        return ""
    name, found = next(iter(tied.items()))
    return f"the articles tie {name} to {' and '.join(sorted(found))}, and the question asks for {asked}'s"


def _personal_name(run: str) -> str:
    """The words of a capitalised run after its title: "Sergey Lavrov" of "Russian Foreign Minister
    Sergey Lavrov"; "" when it is all title ("The Pakistani")."""
    kept: list[str] = []
    for word in reversed(run.split()):
        if _words(word) & (_PERSON_ROLES | _TITLE_WORDS | set(_COUNTRIES) | {"the"}):
            break
        kept.insert(0, word)
    return " ".join(kept)


def _words(text: str) -> set[str]:
    """Lower-cased words without a possessive "'s" ("pakistan" of "Pakistan's")."""
    return {re.sub(r"['\u2019]s$", "", w.lower()) for w in re.findall(r"[\w\u2019'.-]+", text)} - {""}
