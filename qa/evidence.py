"""Evidence: the few sentences of the retrieved chunks that best match the question, each with its
place in its file, and how much of the question they cover (the retrieval-evidence gate)."""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from qa.chunking import sentence_spans
from qa.embed import Embedder
from qa.index import bm25_tokenize
from qa.spans import (
    DEMONYMS,
    MONTH_NAMES,
    NAME_WORDS,
    RELATIVE_DATE,
    WEEKDAY_NAMES,
    WEEKDAYS,
    AnswerType,
    acronyms,
    answer_candidates,
    asks_for_money,
    introduced_by_question_words,
    is_asked,
    vague_counts,
    vague_durations,
    wordset,
)
from qa.types import Hit

# Question words carry no evidence: "how many", "who said" ... are left out of coverage.
QUESTION_WORDS = frozenset(
    [
        "how",
        "mani",
        "much",
        "did",
        "doe",
        "do",
        "who",
        "whom",
        "whose",
        "what",
        "which",
        "when",
        "where",
        "why",
        "is",
        "are",
        "was",
        "were",
        "be",
        "been",
        "being",
        "he",
        "she",
        "they",
        "it",
        "say",
        "said",
        "tell",
        "told",
        "accord",
        "articl",
        "mention",
        "name",
        "s",
        "has",
        "have",
        "had",
        "will",
        "would",
    ]
)


@dataclass(frozen=True, slots=True)
class Evidence:
    """One sentence shown to the answer model as ``[number]``."""

    number: int
    source: str
    text: str
    start: int  # offsets into the source file
    end: int
    score: float


def content_terms(text: str) -> set[str]:
    """Stemmed words of ``text`` without stopwords and question words."""
    return {t for t in bm25_tokenize([text])[0] if t not in QUESTION_WORDS}


# The word that names the kind of answer asked for ("how long", "which two cities", "what percentage")
# is what the answer fills in, not something the evidence must say: "nine years", "Karachi to Lahore".
_ANSWER_KIND = re.compile(
    r"\bhow\s+(long|far|old|often|much|many)\b"
    r"|\b(?:what|which)\s+((?:(?:one|two|three|four|five)\s+)?"
    r"(?:percentage|percent|number|share|amount|city|cities|country|countries|year|date|day|month|time))\b",
    re.IGNORECASE,
)


def question_terms(question: str) -> set[str]:
    """The content terms of a question, less the words that name the kind of answer it asks for."""
    kind_words = " ".join(g for m in _ANSWER_KIND.finditer(question) for g in m.groups() if g)
    return content_terms(question) - content_terms(kind_words)


_BYLINE = re.compile(r"^\s*(?i:by)\s+[A-Z]")  # "By Ayaz Gul", not "By contrast"
_AUTHOR_TERMS = "wrote, written by the author, reporter, writer of the article"
_STATEMENT_END = re.compile(r"[.!?\"'\u201d\u2019)]\s*$")


_AUTHOR_QUESTION = re.compile(r"\bwho\s+(?:wrote|authored|reported|filed)\b|\b(?:author|reporter|writer)\b", re.I)


def asks_for_author(question: str) -> bool:
    """Whether the question asks who wrote an article ("Who wrote the article about ...?")."""
    return bool(_AUTHOR_QUESTION.search(question))


# "When was the article updated?", "What date is on Ayaz Gul's story?": what a byline says.
_ARTICLE_ASKED = re.compile(
    r"\b(?:updat\w*|publish\w*|publication|posted|filed|dated|stamp|byline|written|wrote)\b"
    r"|\b(?:date|day|time)\s+(?:\w+\s+){0,2}?(?:appears?|shown|printed|is|was)\s+(?:on|atop)\b"
    r"|\b(?:date|day)\s+of\s+(?:the\s+|this\s+|that\s+)?(?:[\w\u2019'-]+\s+){0,2}?(?:article|story|report|piece)\b",
    re.IGNORECASE,
)


def asks_about_the_article(question: str) -> bool:
    """Whether the question asks what an article's byline says: who wrote it, or when it was written,
    updated or published ("What date does Harkirpal Singh give for Pakistan's reply ...?" does not)."""
    return asks_for_author(question) or bool(_ARTICLE_ASKED.search(question))


def is_byline(text: str) -> bool:
    """Whether a line names an article's author ("By Ayaz Gul April 25, 2021")."""
    return bool(_BYLINE.match(text))


def is_statement(text: str) -> bool:
    """Whether a line reads as a statement (ends like a sentence) or a byline, rather than a heading,
    a caption or page furniture ("Backchannel peace talks", "Leave a Comment")."""
    return bool(_STATEMENT_END.search(text)) or is_byline(text)


Line = tuple[str, str, int, int, int, str]  # source, text, start, end, hit rank, text to score


def split_hits(hits: Sequence[Hit], question: str = "") -> list[Line]:
    """The statements of the hits, de-duplicated: (source, text, start, end, hit rank, text to score).
    A byline ("By Ayaz Gul April 25, 2021") is scored together with its article's title and words
    for authorship, so "Who wrote the article about ...?" finds it. A line that is no statement (a
    caption, a credit, a link) counts only when it holds a word of the ``question`` that no statement
    of the hits holds: "Image Source- Aljazeera" for "where does the image come from?"."""
    seen: set[str] = set()
    sentences: list[Line] = []
    others: list[Line] = []
    for rank, hit in enumerate(hits):
        title = hit.text.strip().splitlines()[0] if hit.start == 0 and hit.text.strip() else ""
        for s, e in sentence_spans(hit.text):
            text = hit.text[s:e]
            key = " ".join(text.split())  # a repeated line (a title printed twice) is shown once
            if key in seen:
                continue
            seen.add(key)
            scored = f"{title}. {_AUTHOR_TERMS}: {text}" if is_byline(text) else text
            line = (hit.source, text, hit.start + s, hit.start + e, rank, scored)
            (sentences if is_statement(text) else others).append(line)
    terms = question_terms(question) if question else set()
    stated = content_terms(" ".join(line[1] for line in sentences)) if terms else set()  # one tokenizer call
    unstated = terms - stated
    return sentences + [line for line in others if unstated & content_terms(line[1])]


TYPED_BONUS = 0.25  # for a sentence holding the kind of answer asked for


def typed_answer(kind: AnswerType | None, question: str, sentence: str) -> bool:
    """Whether ``sentence`` holds a number or date that could answer, or a name next to the
    question's words (names are in most sentences; "Foreign Secretary Sohail Mahmood" is rarer)."""
    if kind == "name":
        return introduced_by_question_words(kind, question, sentence)
    return bool(answer_candidates(kind, question, [sentence]))


def select_evidence(
    question: str, hits: Sequence[Hit], embedder: Embedder, limit: int, idf: dict[str, float] | None = None
) -> list[Evidence]:
    """The ``limit`` sentences of ``hits`` that best match ``question``, numbered from 1 best first:
    a small model leans on the first one it reads. A sentence scores by cosine similarity to the
    question plus the share of the question's content terms it holds (IDF-weighted, given the ``idf``
    table), plus ``TYPED_BONUS`` when it holds the kind of answer asked for (see ``typed_answer``);
    sentences of higher-ranked hits win ties. For a question about who wrote an article, bylines come
    first."""
    sentences = split_hits(hits, question)
    if not sentences:
        return []
    vectors = embedder.embed([question] + [s[5] for s in sentences])
    cosines = vectors[1:] @ vectors[0]
    terms = question_terms(question)
    weights = _term_weights(terms, idf)
    total = sum(weights.values())
    scored = []
    byline_bonus = 1.0 if asks_for_author(question) else 0.0  # only a byline says who wrote an article
    kind = expected_type(question)
    for (source, text, start, end, rank, scored_text), cosine in zip(sentences, cosines, strict=True):
        overlap = sum(weights[t] for t in terms & content_terms(scored_text)) / total if total else 0.0
        bonus = byline_bonus if is_byline(text) else 0.0
        if typed_answer(kind, question, text):
            bonus += TYPED_BONUS
        scored.append((float(cosine) + overlap + bonus - 0.01 * rank, source, text, start, end))
    best = sorted(scored, key=lambda item: -item[0])[:limit]
    return [Evidence(n, source, text, start, end, score) for n, (score, source, text, start, end) in enumerate(best, 1)]


# A phrase naming the article a question is asked of ("according to the VOA report", "in the article on
# Lavrov's visit", "in Harkirpal Singh's article"): it says where to look, not what the passage holds.
_ARTICLE_REFERENCE = re.compile(
    r"(?:,\s*)?\b(?:according\s+to|in|from|by|of)\s+(?:the\s+|an?\s+|this\s+|that\s+)?"
    r"(?:[\w'\u2019.-]+\s+){0,3}?(?:article|report|story|piece|headline|column)s?\b"
    r"(?:\s+(?:on|about|of)\s+(?:[^,;?.]|\.(?=\S)|(?<=(?-i:[A-Z]))\.)*?"  # "the report on U.S. diplomacy"
    r"(?=\s+(?:and|or|but)\s|[,;?]|(?<!(?-i:[A-Z]))\.(?:\s|$)|$))?",  # ends before "and" or a sentence's end
    re.IGNORECASE,
)


def _tidy(text: str) -> str:
    """What is left of a question once a phrase is cut out: single spaces, none before "?", "." or ","."""
    return re.sub(r"\s+(?=[?.,])", "", " ".join(text.split()))


def without_article_references(question: str) -> str:
    """The question less the phrases that name its article; the question itself when nothing else
    would be left to ask."""
    rest = _tidy(_ARTICLE_REFERENCE.sub("", question)).lstrip(", ")
    return rest if question_terms(rest) else question


# What a question sets aside: an opening clause up to the comma before its question word ("Besides
# Twitter, Facebook and Instagram, on which platform ...?"), or a clause after ("What does the FATF aim
# to combat besides money laundering?"); "alongside" only opening the question ("Which minister stood
# alongside Lavrov?" sets nothing aside).
_SET_ASIDE = re.compile(
    r"^\s*(?:besides|apart\s+from|aside\s+from|other\s+than|in\s+addition\s+to|alongside)\s+[^?]+?,\s*"
    r"(?=(?:(?:on|in|at|for|to|by|from|with|of|into)\s+)?(?:what|which|who|whom|whose|where|when|how|why)\b)"
    r"|,?\s+\b(?:besides|apart\s+from|aside\s+from|in\s+addition\s+to)\s+[^,?]+(?:,|(?=\?))",
    re.IGNORECASE,
)


def without_set_aside(question: str) -> str:
    """The question less what it sets aside: "Besides poverty, what else is the rivalry dragging the
    region back to?" asks "What else is the rivalry dragging the region back to?" of an answer already
    known not to be poverty (an answer that only repeats the question's words adds nothing). "Else"
    stays: without it, "where else did they review the situation?" asked for the place set aside. The
    question itself when nothing else would be left to ask ("Besides that, what else?")."""
    rest = _tidy(_SET_ASIDE.sub(" ", question))
    return rest[:1].upper() + rest[1:] if question_terms(rest) - question_terms("else") else question


def set_aside(question: str) -> str:
    """What the question sets aside ("Apart from West Asia, the Middle East and the Asia-Pacific, "), or ""."""
    return " ".join(m.group(0).strip(" ,") for m in _SET_ASIDE.finditer(question))


def shares_no_term(question: str, texts: Sequence[str]) -> bool:
    """Whether ``texts`` hold not one of the question's content terms: sentences that say nothing of
    what is asked cannot show that an answer found in them answers it. Never for a question with no
    content terms of its own ("What did he say?")."""
    terms = question_terms(question)
    return bool(terms) and not terms & set().union(*(content_terms(t) for t in texts))


def coverage(question: str, evidence: Sequence[Evidence], idf: dict[str, float] | None = None) -> float:
    """The (IDF-weighted) share of the question's content terms found in the evidence: low when the
    articles do not speak of what is asked."""
    terms = question_terms(question)
    if not terms:
        return 0.0
    found = set().union(*(content_terms(e.text) for e in evidence)) if evidence else set()
    weights = _term_weights(terms, idf)
    return sum(weights[t] for t in terms & found) / sum(weights.values())


def _term_weights(terms: set[str], idf: dict[str, float] | None) -> dict[str, float]:
    """Each term's IDF over the chunks (a term no chunk holds weighs as much as the rarest); 1 each
    without a table."""
    if not idf:
        return dict.fromkeys(terms, 1.0)
    unseen = max(idf.values(), default=1.0)
    return {t: idf.get(t, unseen) for t in terms}


def idf_table(texts: Sequence[str]) -> dict[str, float]:
    """Inverse document frequency of each content term over ``texts`` (the chunks)."""
    df: dict[str, int] = {}
    for tokens in bm25_tokenize(list(texts)):
        for term in set(tokens):
            df[term] = df.get(term, 0) + 1
    n = len(texts)
    return {t: math.log(1 + (n - d + 0.5) / (d + 0.5)) for t, d in df.items()}


# ------------------------------------------------------------------------------ answer checks

_NUMBER_WORDS = [
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
    "fifteen",
    "twenty",
    "thirty",
    "forty",
    "fifty",
    "hundred",
    "thousand",
    "million",
    "billion",
    "dozen",
    "dozens",
    "hundreds",
    "thousands",
    "millions",
    "half",
]
_HAS_NUMBER = re.compile(r"\d|\b(?:" + "|".join(_NUMBER_WORDS) + r")\b", re.IGNORECASE)
# A figure, a weekday or a month; "May" and "March" only capitalised ("we may continue" holds no date).
_HAS_DATE = re.compile(
    r"\d|\b(?:(?i:"
    + "|".join(sorted(MONTH_NAMES - {"may", "march"}))
    + r"|jan|feb|apr|jun|jul|aug|sep|sept|oct|nov|dec|"
    + WEEKDAYS
    + r")|May|Mar(?:ch)?)\b"
)
_CAPITALISED = re.compile(r"\b[A-Z][\w\u2019'-]*")
NUMBER = re.compile(r"\d+(?:[.,]\d+)*")  # a figure as written: "1.6", "150,000"

# "Which <one of these>" asks for a name: a person, a place, an organisation, an event or a product.
# (Plurals are left out: "which two cities" is answered by two names; "what kind of government" asks
# for a description: "an interim Afghan government".)
_NAMED_THING = re.compile(
    r"\b(?:which|what)\s+(?!(?:kind|kinds|type|types|sort|sorts)\s+of\b)(?:(?!(?:is|are|was|were|did|does|do|has|have|had|will|would|can|could)\b)"
    r"[\w.'\u2019-]+\s+){0,3}?(?:person|leader|president|minister|premier|secretary|"
    r"secretary-general|official|spokesperson|spokesman|spokeswoman|chief|general|ambassador|diplomat|envoy|"
    r"journalist|reporter|author|writer|commander|governor|mayor|senator|king|queen|founder|chairman|director|"
    r"player|team|country|nation|city|capital|town|region|state|province|territory|district|newspaper|agency|"
    r"organisation|organization|group|party|company|ministry|institution|institute|university|council|commission|"
    r"government|attack|project|pipeline|vaccine|summit|conference|operation|river|language)(?:['\u2019]s)?\b"
)


# A question that opens with a "when" clause asks what its main clause asks: "When Khan met Putin,
# what had he said he wanted?" asks for no date.
_WHEN_CLAUSE = re.compile(
    r"^\s*(?:and\s+)?(?:when|while|after|before|as)\b[^,?]*,\s*"
    r"(?=(?:what|who|whom|whose|which|how|where|why)\b)"
)


def expected_type(question: str) -> AnswerType | None:
    """What kind of answer the question asks for, when its wording says so plainly (a sum of money is a number)."""
    q = _WHEN_CLAUSE.sub("", question.lower())
    measures = r"many|much|long|old|far|big|large|high|tall|wide|deep|heavy|fast"
    if re.search(rf"\bhow ({measures})\b|\bwhat (percentage|number|share)\b|\bby how much\b", q) or asks_for_money(q):
        return "number"
    if re.search(r"(^|[.?!]\s+)(and\s+)?when\b|\b(what|which) (exact |calendar |specific )?(date|day|year|month)\b", q):
        return "date"
    if re.match(r"\s*(who|whose)\b", q) or re.search(r"\bwhat is the name\b", q) or _NAMED_THING.search(q):
        return "name"
    return None


def has_type(answer: str, kind: AnswerType | None, question: str) -> bool:
    """Whether ``answer`` holds the kind of thing asked for: a number, a date, or a name (a capitalised
    word the question does not already hold)."""
    if kind == "number":  # "decades" says how long without a figure, "several issues" how many
        return bool(_HAS_NUMBER.search(answer) or vague_durations(answer, question) or vague_counts(answer, question))
    if kind == "date":
        return bool(_HAS_DATE.search(answer) or RELATIVE_DATE.search(answer))
    if kind == "name":  # "Russia" is no name a question about a "Russian research institute" lacks
        asked = name_words(question)
        return any(not is_asked(w, asked) for w in name_words(answer) - {"the", "a", "an"})
    return True


# "Where was Trump when ...?" is not answered by "on Friday": the words a time is written with, around its
# weekday, month or figure.
_WHERE = re.compile(r"^\W*(?:and\s+|so\s+|from\s+|to\s+)?where\b", re.IGNORECASE)
_TIME_WORDS = (
    MONTH_NAMES
    | WEEKDAY_NAMES
    | wordset(
        "on in at since by during until the of this that or and early late earlier later last next same following "
        "previous day days week weeks month months year years decade morning afternoon evening night today "
        "yesterday tomorrow ago"
    )
)


def only_a_time(answer: str, question: str) -> bool:
    """Whether ``answer`` is nothing but a time ("on Friday", "last month") while ``question`` asks where."""
    words = re.findall(r"[^\W\d_]+", answer.lower())
    return bool(_WHERE.match(question)) and has_type(answer, "date", question) and all(w in _TIME_WORDS for w in words)


def name_words(text: str) -> set[str]:
    """Capitalised words, lower-cased, without a possessive "'s"; single letters ("U.S.") left out."""
    words = {re.sub(r"['\u2019]s$", "", w.lower()) for w in _CAPITALISED.findall(text)}
    return {w for w in words if len(w) > 1}


_SENTENCE_BREAK = re.compile(r"(?:[?!]|\b[a-z]{3,}\.)\s+$")  # not after "U.S." or "Mr."


def key_terms(question: str) -> set[str]:
    """Names and numbers of the question (capitalised words after its first word, and figures),
    without a possessive ("Panthers'", "Dioscorides'"): an article that holds none of a question's
    names does not answer it."""
    opening = question.lstrip()
    # "Unsurprisingly," opens the question, "Give" its second sentence ("...? Give the date."): no names
    words = [
        m.group(0)
        for m in _CAPITALISED.finditer(opening)
        if m.start() > 0 and not _SENTENCE_BREAK.search(opening[: m.start()])
    ]
    names = {re.sub(r"['\u2019]s?$", "", w.lower()) for w in words}
    names = {n for n in names if content_terms(n)}  # "And", "Which" in a joined follow-up are no names
    return names | set(NUMBER.findall(question))


_ATTRIBUTE = re.compile(
    r"^\s*(?i:what|who|which)\s+(?i:is|was|are|were)\s+(?:the|[A-Z][\w.-]*['\u2019]s)\s+"
    r"(?:[A-Z][\w.'\u2019-]*\s+)*?([a-z][\w-]*)\s+(?:of|for|at|in)\b"
)
# Words of such a question that name no attribute a sentence would state.
_GENERIC_ATTRIBUTES = frozenset(
    "name number date year day time amount percentage share opposite reason purpose meaning term difference".split()  # noqa: SIM905
)


def asked_attribute(question: str) -> str | None:
    """The attribute a "What is the X of Y?" / "Who is Y's X in Z?" question asks about ("budget",
    "president", "ambassador"): a sentence that never says X does not give Y's X."""
    match = _ATTRIBUTE.match(question)
    if match is None or match.group(1).lower() in _GENERIC_ATTRIBUTES or not content_terms(match.group(1)):
        return None
    return match.group(1)


def mentions_attribute(attribute: str, texts: Sequence[str]) -> bool:
    """Whether ``texts`` say ``attribute``, in a word whose stem starts with the same five letters
    ("spokesman" and "spokesperson", "creators" and "created")."""
    held = {t[:5] for text in texts for t in content_terms(text)}
    return all(t[:5] in held for t in content_terms(attribute))


def _written(term: str, text: str) -> bool:
    """Whether ``text`` (lower case, accents folded) holds ``term``, its singular ("grammys": "Grammy"),
    the place a demonym names ("pakistani", "indian", "british"; "american" or "americans": "United States"
    or "U.S."),
    or a month abbreviated before a day ("august": "Aug. 5", "Mar 08")."""
    term = fold_accents(term)
    place = DEMONYMS.get(term) or DEMONYMS.get(term.removesuffix("s"), "")  # "americans" too
    return (
        term in text
        or (term in MONTH_NAMES and re.search(rf"\b(?:{term[:3]}|{term[:4]})(?:\.|\s+\d)", text) is not None)
        or (bool(place) and place in text)
        or (" " in place and "".join(f"{w[0]}." for w in place.split()) in text)
        or (len(term) > 4 and term.endswith("s") and term[:-1] in text)
        or (len(term) > 5 and term.endswith(("i", "n")) and term[:-1] in text)
    )


def fold_accents(text: str) -> str:
    """``text`` without accents: "Maizière" is written "Maiziere" in a question."""
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def missing_key_terms(question: str, evidence: Sequence[Evidence], initials: bool = True) -> set[str]:
    """The question's names and numbers that the evidence does not hold, in words or (with ``initials``)
    as an acronym."""
    joined = " ".join(e.text for e in evidence)
    text = fold_accents(joined.lower())
    missing = {t for t in key_terms(question) if not all(_written(part, text) for part in t.split("-"))}
    if not missing or not initials:
        return missing
    found_acronyms = acronyms(joined)
    missing -= {t for t in missing if t.upper() in found_acronyms}  # "LoC" where the text says "Line of Control"
    for run in NAME_WORDS.findall(question):
        words = {re.sub(r"['\u2019]s$", "", w.lower()) for w in run.split()}
        if acronyms(run) & found_acronyms:
            missing -= words
    return missing
