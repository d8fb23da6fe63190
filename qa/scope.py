"""The article a question is asked of: "According to Harkirpal Singh, which Indian leader ...?", "Which
U.S. president is cited in the Lavrov report ...?", "What does the article on Pakistan's call for talks
with India say ...?". A reader who names an article expects the answer from it, so its sentences are
the ones shown to the answer model, and the second look is asked of "the article" (``qa.ask``).

Only the part of the question that asks is read ("VOA says Imran Khan wants a stable relationship with
India. According to Harkirpal Singh, which ...?" is asked of Harkirpal Singh's article; the VOA
sentence only describes). A phrase names a file when the file is the only one that holds all of the
phrase's names (its author in the byline, "VOA", "Lavrov"); an article phrase whose names several
files hold names the one of them whose opening lines (title, headings) share the most words with it,
at least two. Pure functions over text; anything less clear names no file, and the question is asked
of them all.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import lru_cache

from qa.bridge import asking_sentences
from qa.evidence import Evidence, content_terms, is_byline, missing_key_terms

# "the Lavrov report", "Harkirpal Singh's article", "the later report on the Pahalgam attack", "the VOA
# article": a determiner or a possessive, up to two words, the noun, and what it is "on" or "about" up
# to the next comma, "and" or the question's end. Not "the articles" (all of them), the verb "reports"
# or "the first to report".
_ARTICLE = re.compile(
    r"\b(?:the|this|that|an?|[\w.-]+['\u2019]s)\s+(?:(?!(?:the|this|that|an?|to)\s)[\w'\u2019.-]+\s+){0,2}?"
    r"(?:article|report|story|piece)\b"
    r"(?:\s+(?:on|about)\s+(?:(?!\s(?:and|or|but)\s)[^,;?])+)?",  # "... on X and in the article on Y": two
    re.IGNORECASE,
)
# "according to VOA", "According to Harkirpal Singh,": who says it, up to a comma or the question's end.
_ACCORDING = re.compile(r"\baccording\s+to\s+(?P<who>[^,;?]+)", re.IGNORECASE)
# "according to the article", "according to it": no article in particular; the question is asked of all.
_ANYONE = re.compile(r"(?:the|this|that|an?)\s+(?:article|report|story|piece)s?|it|them|him|her|the\s+\w+", re.I)
_NOUNS = content_terms("article report story piece later earlier other first second")
OPENING_LINES = 4  # an article's title and headings: its first lines, before or around the byline


def article_phrases(asking: str) -> list[tuple[str, bool]]:
    """The phrases of a question's asking part (``asking_sentences``) that name an article (True) or whom
    it is according to (False)."""
    phrases = [(m.group(0), True) for m in _ARTICLE.finditer(asking)]
    according = [m.group("who") for m in _ACCORDING.finditer(asking)]
    return phrases + [(who, False) for who in according if not _ARTICLE.search(who)]


def asked_article(question: str, articles: Mapping[str, str]) -> str | None:
    """The one file (of ``articles``, text by source) that the question's asking part names, through its
    article phrases and "according to" (each must name that file: "according to the article on X"
    names nothing when X fits two files) or an author's name in a byline ("What date does Harkirpal
    Singh give ...?"); None when it names none, or more than one ("both in the article on X and in the
    article on Y")."""
    asking = asking_sentences(question)
    phrases = [p for p in article_phrases(asking) if not _ANYONE.fullmatch(p[0].strip())]
    named = [file_named(phrase, articles, by_title) for phrase, by_title in phrases]
    named += [source for source, text in articles.items() if _author_named(asking, text)]
    files = set(named)
    return files.pop() if len(files) == 1 and None not in files else None


def file_named(phrase: str, articles: Mapping[str, str], by_title: bool = True) -> str | None:
    """The file a phrase names: the only one holding all its names ("Harkirpal Singh", "VOA"), written out
    where some file writes them out, else as initials; else, for an article phrase (``by_title``), of those
    that do, the only one whose opening lines share the most of its words, at least two ("the article on
    Pakistan's call for talks with India")."""
    # "the Independent Pakistan report" is 003, whose footer writes the name out, not the Lavrov report,
    # whose capitalised words give the initials "IP" too
    holding = _holding(phrase, articles, initials=False) or _holding(phrase, articles, initials=True)
    if len(holding) <= 1 or not by_title:
        return holding[0] if len(holding) == 1 else None
    words = content_terms(phrase) - _NOUNS
    shared = {s: len(words & content_terms(opening(articles[s]))) for s in holding}
    best = max(shared.values())
    tops = [s for s, n in shared.items() if n == best]
    return tops[0] if best >= 2 and len(tops) == 1 else None


def _holding(phrase: str, articles: Mapping[str, str], initials: bool) -> list[str]:
    """The files that hold all the names of ``phrase``: written out, or also as initials."""
    name = "of " + phrase
    return [s for s, text in articles.items() if not missing_key_terms(name, [_whole(s, text)], initials=initials)]


def opening(text: str) -> str:
    """An article's first few non-blank lines: its title and headings."""
    return "\n".join([line for line in text.splitlines() if line.strip()][:OPENING_LINES])


def _author_named(asking: str, text: str) -> bool:
    """Whether ``asking`` holds the whole name of the article's author, as its byline gives it."""
    author = _author(text)
    return bool(author) and author.lower() in asking.lower()


@lru_cache(maxsize=4096)
def _author(text: str) -> str:
    """The article's author as its byline names them ("Harkirpal Singh" of "By Harkirpal Singh, Updated
    : Mar 08, 2021"); "" for none, or a single word or a staff byline ("by Staff Report"). Kept per
    text: every question looks for every article's author."""
    for line in text.splitlines():
        if is_byline(line):
            author = re.split(r",|\s+(?:[A-Z][a-z]{2,8}\.?\s+\d|\d)", line.strip()[3:].strip())[0].strip()
            return author if len(author.split()) >= 2 and not author.lower().startswith("staff") else ""
    return ""


def _whole(source: str, text: str) -> Evidence:
    return Evidence(0, source, text, 0, len(text), 0.0)


def as_asked_of_it(question: str, source: str | None, articles: Mapping[str, str]) -> str:
    """The question with its article's author and the phrases naming the article put as "the article"
    ("According to the article, which Indian leader ...?" for "According to Harkirpal Singh, ...";
    "What name does the article give ...?" for "... does Harkirpal Singh's article give ...?"), for a
    reader shown only that article's sentences, who would otherwise look for Harkirpal Singh in them.
    "According to Lavrov" stays: he may be the speaker asked about. ``source`` is the file the question
    names (``asked_article``); the question itself when it names none."""
    asking = asking_sentences(question)
    at = question.rfind(asking)
    if source is None or at < 0:
        return question
    plain = asking
    author = _author(articles[source])
    if author:
        named = re.escape(author) + r"(?:['\u2019]s\s+(?:article|report|story|piece)\b)?"
        plain = re.sub(named, "the article", plain, flags=re.IGNORECASE)
    return question[:at] + _ARTICLE.sub("the article", plain)
