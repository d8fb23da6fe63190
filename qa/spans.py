"""Candidate answers: the short spans of the evidence sentences that could answer a question asking
for a name, a number or a date ("Sohail Mahmood", "1.6 billion cubic feet", "Aug. 5, 2019").

For such questions the answer model does not write the answer freely: a grammar makes it pick one of
these spans (or none). A small model then cannot answer with a name it remembers rather than read
("Nawaz Sharif"), nor with the question's own words ("February" for "which year's cease-fire did
they agree in February to reinstitute?"). Pure functions, no model."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Literal

AnswerType = Literal["number", "date", "name"]


def wordset(words: str) -> frozenset[str]:
    """The words of ``words``, split on white space, as a set: a word list written as one string."""
    return frozenset(words.split())


_MONTH = (
    r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|"
    r"Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?"
)
_YEAR = r"(?:1[5-9]\d\d|20\d\d)"
WEEKDAYS = r"(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)"
WEEKDAY_NAMES = wordset("monday tuesday wednesday thursday friday saturday sunday")
MONTH_NAMES = wordset("january february march april may june july august september october november december")
_DATE = re.compile(
    rf"\b{_MONTH}\s+\d{{1,2}}(?:,\s*{_YEAR})?\b"  # April 22 / Aug. 5, 2019
    rf"|\b\d{{1,2}}\s+{_MONTH}(?:\s+{_YEAR})?\b"  # 5 August 2019
    rf"|\b{_MONTH}\s+{_YEAR}\b"  # June 2019
    rf"|\b(?:January|February|March|April|June|July|August|September|October|November|December)\b"
    rf"|\b{_YEAR}s?\b"
    rf"|\b{WEEKDAYS}\b"
)
# A time said relative to the article's own date or to another event: "last month", "a year ago", "the same day".
RELATIVE_DATE = re.compile(
    r"\b(?:(?:earlier|later)\s+this|this|last|next)\s+(?:week|month|year|decade)\b"
    r"|\b(?:a|an|one|two|three|four|five|six|seven|eight|nine|ten|several|a\s+few|\d+)\s+"
    r"(?:days?|weeks?|months?|years?|decades?)\s+ago\b"
    r"|\bthe\s+(?:same|next|following|previous)\s+(?:day|week|month|year)\b"
    r"|\b(?:yesterday|today|tomorrow)\b",
    re.IGNORECASE,
)
_NUMBER_WORD = (
    r"(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|thirty|forty|fifty|"
    r"hundreds|thousands|millions|dozens|a dozen|half)"
)
_SCALE = r"(?:\s+(?:hundred|thousand|million|billion|trillion|lakh|crore))?(?:\s*(?:percent|per\s*cent|%))?"
_CURRENCY = r"(?:US\$|\$|£|€|₹|Rs\.?)"  # written before a sum: "US$ 1.2 billion", "Rs 400 crore"
# Not a number inside a word or a name ("COVID-19", "Sputnik-V"); but a length of time written with a
# hyphen ("two-day visit", "24-hour curfew") is a figure with its unit.
_HYPHENED_TIME = r"-(?:day|week|month|year|hour|minute)\b(?!-)"
_NUMBER = re.compile(
    rf"(?<![\w.,-])(?:{_CURRENCY}\s?)?(?:\d+(?:[.,]\d+)*|(?i:{_NUMBER_WORD})){_SCALE}(?:{_HYPHENED_TIME}|(?![\w-]))",
    re.IGNORECASE,
)
# "How much will it cost?", "What is the price of ...?", "What was the dollar value of ...?", "What
# were the deals worth in dollars?": a sum of money is asked for.
_MONEY_QUESTION = re.compile(
    r"\bhow\s+much\b.*\b(?:cost|costs|price|spend|spent|pay|paid|worth|budget|fund|funding|lend|lent|loan|"
    r"invest|invested|money)\b|\bwhat\s+(?:is|was|will\s+be)\s+the\s+(?:cost|price|budget|value)\b"
    r"|\b(?:dollar|monetary|cash)\s+(?:value|worth|amount|cost)\b|\bprice\s+(?:tag|per)\b"
    r"|\b(?:worth|value)\s+in\s+(?:dollars|rupees|euros|pounds|yuan|yen)\b",
    re.IGNORECASE,
)
_MONEY = re.compile(r"[$£€₹]|\bRs\b|\b(?:dollars?|rupees?|euros?|pounds?|yuan|yen|usd|pkr|inr)\b", re.IGNORECASE)


def asks_for_money(question: str) -> bool:
    """Whether the question asks for a sum of money: a cost, a price, a dollar value, a loan."""
    return bool(_MONEY_QUESTION.search(question))


# Up to three words after a figure say what it counts ("26 tourists", "1.6 billion cubic feet").
_UNIT_WORD = re.compile(r"\s+([A-Za-z][\w-]*)")
_UNIT_STOP = wordset(
    "of per and or but in on at to for from by with as than a an the that which who is are was were has have had "
    "will would this these those its their his her since after before during more about also over under "
    "across into against between among along through within without near like"
)
_NAME_TOKEN = r"(?:[A-Z][\w\u2019'.-]*|[A-Z]\.(?:[A-Z]\.)+)"
_NAME_RUN = re.compile(rf"{_NAME_TOKEN}(?:\s+(?:of\s+|the\s+)?{_NAME_TOKEN})*")
# Words before a name that say what the person is, not who ("Foreign Minister Sergey Lavrov").
_TITLES = wordset(
    "mr mrs ms dr sir president vice prime minister foreign secretary secretary-general under general chief "
    "ambassador deputy spokesman spokesperson senator governor mayor king queen prince premier chancellor "
    "commander colonel captain pm fm coas political affairs state defence defense interior finance home "
    "external army military chargé d\u2019affaires d'affaires"
)
_OFFICES = wordset("office ministry department commission council committee agency service court assembly")
# The last word of a body's name: "Dutch East India Company", "Bharatiya Janata Party".
_BODIES = _OFFICES | wordset(
    "company corporation party church parliament university college institute bank fund foundation association "
    "union league organization organisation group centre center club team"
)
_DATE_WORD = re.compile(  # a name run stops at a date: "By Ayaz Gul April 25, 2021", "Aug. 5, 2019"
    rf"(?:January|February|March|April|June|July|August|September|October|November|December"
    rf"|Feb|Aug|Sept?|Oct|Nov|Dec)|{WEEKDAYS}"  # not "Jan", a first name too
)
_REGION_BEFORE = re.compile(r"\b((?:north|south)?(?:central|northern|southern|eastern|western))\s+$")
_DOTTED = re.compile(r"(?:[A-Z]\.)+")  # an acronym written with dots: "U.S."
_NATIONALITY = re.compile(r"^(?!\w+stan$|(?:Iran|Japan|Sudan|Oman|Taiwan|Bhutan)$)[A-Z][a-z]+(?:an|ian|ese|i|ish)$")
_SENTENCE_OPENING = (".", "\u201c", "\u2018", '"', "'", "(", ":", "-")  # what a sentence's first word follows
# Words that open a sentence with a capital without being a name.
_OPENERS = wordset(
    "a an the this that these those it its he she they we i in on at as by for from of to with and but or "
    "if when while after before since during meanwhile however also according moreover although though both "
    "all some many most there here his her their our participating referring concluding expressing addressing "
    "talking pointing discussing speaking"
)


def answer_candidates(kind: AnswerType | None, question: str, sentences: Sequence[str]) -> list[str]:
    """The spans of ``sentences`` of the ``kind`` asked for, in order of first appearance, without
    repeats and without spans the question already holds; none for a question of no kind."""
    if kind is None:
        return []
    asked = _words(question)
    found: list[str] = []
    for sentence in sentences:
        text = " ".join(sentence.split())
        if kind == "date":
            spans = _dates(text, question)
        elif kind == "number":
            vague = [*vague_durations(text, question), *vague_counts(text, question)]
            spans = sorted([*_numbers(text), *vague], key=text.find)
        else:
            spans = _with_bodies(list(_names(text, asked, acronyms(question))), _speaking_bodies(text))
        if kind == "date" or (kind == "name" and _PLURAL.search(question)):
            spans = _with_lists(text, spans)  # "Tuesday or Wednesday"; "who were the creators?"
        for span in spans:
            span = span.strip(" ,")
            figure = span.split()[0].lower() if span else ""
            if kind == "number" and (figure in asked or not _counts_what_is_asked(span, question, asked)):
                continue
            if kind == "number" and not _qualified_as_asked(span, question, text):
                continue  # "two countries" does not say how many member countries
            if kind == "number" and not _happened_as_asked(span, question, text):
                continue  # "26 tourists" killed does not say how many people were arrested
            if kind == "number" and not _measures_what_is_asked(span, question):
                continue  # "1.6 billion cubic feet" does not say how long a pipeline is
            if kind == "number" and asks_for_money(question) and not _MONEY.search(span):
                continue  # "1.6 billion cubic feet" is no answer to "how much will it cost?"
            if span and not all(is_asked(w, asked) for w in _words(span)) and span not in found:
                found.append(span)
    return found


# A question that asks for more than one name: "Who were ...?", "Which two leaders ...?", "Which countries".
_PLURAL = re.compile(
    r"\b(?:were|are|two|three|four|five)\b|\b(?:which|what)\s+(?:[\w-]+\s+)?(?:countries|nations|cities|people|"
    r"leaders|officials|ministers|states|parties|groups|members|players|teams|companies|organi[sz]ations|names)\b",
    re.IGNORECASE,
)
_LIST_COMMA = re.compile(r",\s*(?:the\s+)?")
_LIST_WORD = re.compile(r",?\s+(?:and|or|through|to)\s+(?:the\s+)?", re.IGNORECASE)


def _with_lists(text: str, spans: list[str]) -> list[str]:
    """``spans`` with the lists they make, each right after its last member: "William Hanna and Joseph
    Barbera", "Imran Khan and President Donald Trump", "Tuesday or Wednesday", "A, B and C". A list is
    joined by commas and ends with "and", "or", "through" or "to" (titles may follow the last joint);
    it is no list when a capitalised word follows it ("Sohail Mahmood and U.S. Under Secretary")."""
    out: list[str] = []
    group: list[tuple[int, int]] = []  # (start, end) of the members of the list being read
    ended = False  # whether the group's last joint was "and", "or", ...

    def close() -> None:
        tail = text[group[-1][1] :] if group else ""
        if len(group) > 1 and ended and not re.match(r"\s+[A-Z]", tail):
            out.append(text[group[0][0] : group[-1][1]])
        group.clear()

    for span in spans:
        at = text.find(span, group[-1][1] if group else 0)
        between = text[group[-1][1] : at] if group and at >= 0 else None
        between = None if ended else between  # a list ends at its "and"/"or" member
        word = _LIST_WORD.match(between) if between is not None else None
        titled = bool(between is not None and word and all(_is_title(w) for w in between[word.end() :].split()))
        comma = between is not None and bool(_LIST_COMMA.fullmatch(between))
        if not (titled or comma):
            close()
            ended = False
        if at >= 0:
            group.append((at, at + len(span)))
            ended = ended or titled
        out.append(span)
    close()
    return out


def introduced_by_question_words(kind: AnswerType | None, question: str, sentence: str) -> bool:
    """Whether a candidate of ``sentence`` comes right after words of the question (within two words,
    as a title does): "Foreign Secretary Sohail Mahmood" for "What is the name of Pakistan's foreign
    secretary?". For a name, that is what tells the sentence that says who from the many sentences
    that name someone."""
    return any(_introduced(c, question, sentence) for c in answer_candidates(kind, question, [sentence]))


def _introduced(candidate: str, question: str, sentence: str) -> bool:
    asked = {w for w in _words(question) if w not in _UNIT_STOP and w not in _OPENERS}
    words = sentence.split()
    wanted = [_clean(w) for w in candidate.split()]
    for i in range(len(words) - len(wanted) + 1):
        here = [_clean(w) for w in words[i : i + len(wanted)]] == wanted
        if here and any(is_asked(_word(w), asked) for w in words[max(0, i - 2) : i]):
            return True
    return False


_ASKS_CALENDAR = re.compile(
    r"\b(?:what|which)\s+(?:exact\s+|calendar\s+|specific\s+)?(date|day|year|month)\b", re.IGNORECASE
)


def _calendar_units(question: str) -> set[str]:
    """The calendar units the question asks for by name: "on what date", "which year"."""
    return {m.group(1).lower() for m in _ASKS_CALENDAR.finditer(question)}


def _dates(text: str, question: str) -> list[str]:
    """The dates of ``text`` that fit the question, in order; a time said relative to the article's
    date ("last month") answers "when ...?" but not "on what date ...?"."""
    units = _calendar_units(question)
    found = [m for m in _DATE.finditer(text) if _fits_date_question(m.group(0), units)]
    if not units:
        found += RELATIVE_DATE.finditer(text)
    return [m.group(0) for m in sorted(found, key=lambda m: m.start())]


def _fits_date_question(date: str, units: set[str]) -> bool:
    """A span that can answer a date question asking for ``units``: "on what date ...?" wants a day
    of a month ("April 22"), not a year, a month or a weekday; "on which day ...?" takes a weekday but
    not a bare year; "which year ...?" wants a year, "which month ...?" a month."""
    if "date" in units:
        return bool(re.search(r"\b\d{1,2}\b", date))
    if "day" in units:
        return not re.fullmatch(rf"{_YEAR}s?", date)
    if "year" in units:
        return bool(re.search(_YEAR, date))
    if "month" in units:
        return bool(re.search(_MONTH, date))
    return True


_SCALE_WORDS = wordset("hundred thousand million billion trillion lakh crore percent")
_AUXILIARY = r"(?:is|are|was|were|did|does|do|has|have|had|will|would|can|could|should|of)\b"
_HOW_MUCH_THING = re.compile(rf"\bhow\s+much\s+(?!{_AUXILIARY})[a-z]", re.IGNORECASE)
# Words that measure an amount rather than count things: "1.6 billion cubic feet" may say how much gas.
_MEASURES = wordset(
    "cubic square feet foot metres meters metre meter km kilometres kilometers miles tons tonnes tonne kg "
    "kilograms grams litres liters gallons barrels units doses percent dollars rupees euros pounds yuan yen"
)


def _unit(span: str) -> list[str]:
    """The words after a figure that say what it counts ("Indian paramilitary troops" of "40 Indian
    paramilitary troops"), without its scale; a sum of money counts nothing ("Rs 400 crore")."""
    figure, *after = re.sub(rf"^{_CURRENCY}\s*", "", span).split() or [""]
    after = figure.split("-")[1:] + after  # "two-day": a count of days
    return [w for w in (_word(w) for w in after) if w and w not in _SCALE_WORDS]


# Words that count the same persons: "How many soldiers ...?" is answered by "40 Indian paramilitary
# troops", "How many sightseers ...?" by "26 tourists". "Civilians" are not troops.
_COUNTED_ALIKE = (
    wordset("troops soldiers servicemen personnel"),
    wordset("tourists visitors sightseers holidaymakers travellers travelers"),
)
# "How many people ...?" counts persons of any kind: "40 Indian paramilitary troops", "26 tourists".
_PEOPLE = wordset("people persons individuals lives")
_PERSONS = _PEOPLE.union(
    *_COUNTED_ALIKE,
    wordset(
        "civilians pilgrims militants rebels fighters insurgents terrorists attackers gunmen police policemen "
        "officers officials workers students children women men residents villagers passengers protesters "
        "victims citizens nationals refugees migrants patients doctors nurses journalists diplomats prisoners "
        "hostages"
    ),
)
_CASES = wordset("cases infections")  # "How many people tested positive?": "349,691 new COVID cases"
_INFECTED = wordset("positive infected")


def _counts_alike(head: str, asked: set[str]) -> bool:
    """Whether ``head`` (what a figure counts) counts what the question's words count by another name."""
    if head in _CASES and asked & _INFECTED and asked & (_PEOPLE | _CASES):
        return True
    return any(head in group and bool(asked & group) for group in _COUNTED_ALIKE)


# What happened to the people counted: the words after "how many people" up to a preposition, less
# auxiliaries ("were arrested for ..." -> "arrested"). Dying is said many ways, all one here.
_PEOPLE_EVENT = re.compile(rf"\bhow\s+many\s+(?:{'|'.join(sorted(_PEOPLE))})\b((?:\s+[\w-]+)*)", re.IGNORECASE)
# The same for persons of a kind, when the question says what happened to them ("how many Indian
# troops were travelling in ..."), not what they did or what was done by whom ("how many troops had
# the bombing killed?").
_PERSONS_EVENT = re.compile(
    rf"\bhow\s+many\s+(?:[\w-]+\s+){{0,2}}?(?:{'|'.join(sorted(_PERSONS))})\s+"
    r"((?:were|was|are|is|(?:have|has|had)\s+been)(?:\s+[\w-]+)+)",
    re.IGNORECASE,
)
_EVENT_ENDS = wordset("in for at on during after before by from when since of to with that which who where while")
# Nor are the words of who did it ("How many people did it kill?": "it" is the attack, not an event).
_NOT_EVENT = wordset(
    "were was are is have has had been be being did do does their his her its or and "
    "it they he she this that these those them"
)
_DEATH = wordset("died die dies dead death deaths killed kill kills lives life lost lose perished fatalities")


def _happened_as_asked(span: str, question: str, sentence: str) -> bool:
    """For "how many people ...?" (or troops, tourists, ...) answered by a count of persons ("26
    tourists"): the sentence says what the question says happened to them ("arrested", "injured";
    "died", "killed" and "lost their lives" are one). Without it, "26 tourists" killed would say how
    many were arrested, and "40 troops" killed how many were travelling in a convoy."""
    unit = _unit(span)
    match = _PEOPLE_EVENT.search(question) or _PERSONS_EVENT.search(question)
    if not unit or match is None or unit[-1] not in _PERSONS:
        return True
    event: list[str] = []
    for word in (_word(w) for w in match.group(1).split()):
        if word in _EVENT_ENDS:
            break
        if word and word not in _NOT_EVENT:
            event.append(word)
    held = _words(sentence)
    return all(is_asked(w, held) or (w in _DEATH and bool(held & _DEATH)) for w in event)


def _counts_what_is_asked(span: str, question: str, asked: set[str]) -> bool:
    """For "how many X ...?": a figure that says what it counts must count something the question
    names ("two sides" does not answer "how many countries ...?"; a bare "two" may). For "how much X
    ...?" the same, unless it is a measure ("cubic feet", "tons"): "40 troops" is not how much oxygen."""
    unit = _unit(span)
    if not unit:
        return True
    counted = bool(re.search(r"\bhow\s+many\b", question, re.IGNORECASE))
    measured = not counted and bool(_HOW_MUCH_THING.search(question))
    if not (counted or measured) or (measured and set(unit) & _MEASURES):
        return True
    head = unit[-1]  # what is counted: "troops" of "40 Indian paramilitary troops"
    if counted and head in _PERSONS and asked & _PEOPLE:
        return True
    if _counts_alike(head, asked):
        return True
    return is_asked(head, asked) or f"{head}s" in asked or any(head[:5] == a[:5] for a in asked if len(a) >= 5)


_COUNTED = re.compile(r"\bhow\s+many\s+((?:[\w-]+\s*){1,4})", re.IGNORECASE)
_NOT_QUALIFIERS = wordset("more other new different separate such of the")


def _qualified_as_asked(span: str, question: str, sentence: str) -> bool:
    """For "how many <qualifiers> X ...?" answered by a figure that counts X: the sentence holds the
    qualifiers too ("how many member countries" is not answered by "two countries" in a sentence
    that never says "member"; "how many Indian paramilitary troops" by "40 Indian paramilitary troops")."""
    unit = _unit(span)
    match = _COUNTED.search(question)
    if not unit or match is None:
        return True
    words = [_word(w) for w in match.group(1).split()]
    counted = next((i for i, w in enumerate(words) if is_asked(unit[-1], {w})), None)
    if counted is None:  # nor when the question counts them by another name: "Indian security personnel"
        return True
    held = _words(sentence)
    qualifiers = set(words[:counted]) - _NOT_QUALIFIERS
    return all(is_asked(q, held) or q.isdigit() for q in qualifiers)


_TIME_UNITS = wordset(
    "year years month months week weeks day days hour hours minute minutes decade decades century centuries time"
)
# Units a question may name ("in kilometres"), each word with the unit it writes.
_LENGTH_UNIT_OF = {
    **dict.fromkeys(["km", "kilometre", "kilometres", "kilometer", "kilometers"], "km"),
    **dict.fromkeys(["mile", "miles"], "mile"),
    **dict.fromkeys(["metre", "metres", "meter", "meters"], "metre"),
    **dict.fromkeys(["foot", "feet"], "foot"),
}
_LENGTH_UNITS = frozenset(_LENGTH_UNIT_OF)
_UNIT_OF = {**_LENGTH_UNIT_OF, **{unit: unit.rstrip("s") for unit in _TIME_UNITS}}


_ASKS_SHARE = re.compile(r"\b(?:what|which)\s+(?:percentage|percent|share|proportion|fraction)\b", re.IGNORECASE)
_SHARE = re.compile(r"%|\bper\s*cent|\bhalf\b|\b(?:third|quarter|fifth|tenth)s?\b|\bone\s+in\s+\w+", re.IGNORECASE)


def _measures_what_is_asked(span: str, question: str) -> bool:
    """A span that can answer "how old ...?" holds a time, "how far ...?" a length, "how long ...?"
    either, "what share ...?" a percentage or a fraction, and one for a question that names a unit ("in
    kilometres") holds that unit: doses, cubic feet or "two days" (for "how long is it in kilometres?")
    do not answer them."""
    words = _words(span.replace("-", " "))  # "decades-old", "24-hour"
    named = {_UNIT_OF[w] for w in re.findall(r"\bin\s+(\w+)", question.lower()) if w in _UNIT_OF}
    if named and not named & {_UNIT_OF[w] for w in words if w in _UNIT_OF}:
        return False
    if words & wordset("cubic square"):
        words = set()  # a volume or an area, not a length
    if _ASKS_SHARE.search(question):  # "what share of the population ...?" is not answered by "50,000 doses"
        return bool(_SHARE.search(span))
    if re.search(r"\bhow\s+old\b", question, re.IGNORECASE):  # "at age 81": a bare figure is an age
        return bool(words & _TIME_UNITS) or bool(re.fullmatch(r"\d{1,3}|[a-z]+", span.lower()))
    if re.search(r"\bhow\s+far\b", question, re.IGNORECASE):
        return bool(words & _LENGTH_UNITS)
    if re.search(r"\bhow\s+long\b", question, re.IGNORECASE):
        return bool(words & (_TIME_UNITS | _LENGTH_UNITS))
    return True


# A length of time said without a figure: "decades", "months of talks", "more than a year ago", "a long time".
_VAGUE_DURATION = re.compile(
    r"(?<![\w-])(?:(?:(?:more|less)\s+than\s+)?(?:a|an|several|many|a\s+few)\s+(?:centur(?:y|ies)|decades?|years?"
    r"|months?|weeks?)(?:\s+ago)?|(?:centuries|decades|years|months|weeks)(?:[-\s](?:old|long))?"
    r"|(?:a\s+)?(?:very\s+)?long\s+time)(?![\w-])",
    re.IGNORECASE,
)
_ASKS_DURATION = re.compile(r"\bhow\s+(long|old)\b", re.IGNORECASE)


def vague_durations(text: str, question: str) -> list[str]:
    """For "how long ...?" or "how old ...?": the lengths of time ``text`` gives without a figure
    ("revoked decades old accords", "an agreement it signed more than a year ago"); not one after a
    figure ("two decades" is a number already), and "decades old" only for how old, "decades-long"
    only for how long ("How long is the Line of Control?" is not answered by "decades old")."""
    asked = {m.lower() for m in _ASKS_DURATION.findall(question)}
    if not asked:
        return []
    found = []
    for match in _VAGUE_DURATION.finditer(text):
        before = text[: match.start()].split()[-1:]
        ending = match.group(0).lower().replace("-", " ").split()[-1]
        if (before and _NUMBER.search(before[0])) or (ending in ("old", "long") and ending not in asked):
            continue
        found.append(match.group(0))
    return found


# A count said without a figure: "several issues", "a few countries" ("dozens" is a number word already).
_VAGUE_COUNT = re.compile(
    r"(?<![\w-])(?:several|numerous|multiple|a\s+few|a\s+handful\s+of|a\s+number\s+of)\s+([A-Za-z][\w-]*)",
    re.IGNORECASE,
)


def vague_counts(text: str, question: str) -> list[str]:
    """For "how many X ...?": the counts of X that ``text`` gives without a figure ("on several
    issues"); not of anything else ("several issues" does not say how many countries)."""
    match = _COUNTED.search(question)
    if match is None:
        return []
    counted = {_word(w) for w in match.group(1).split()[:3]} - _NOT_QUALIFIERS
    return [m.group(0) for m in _VAGUE_COUNT.finditer(text) if is_asked(_word(m.group(1)), counted)]


def _numbers(text: str) -> Iterable[str]:
    """Figures with what they count; not years or the numbers inside dates."""
    dates = [m.span() for m in _DATE.finditer(text)]
    for match in _NUMBER.finditer(text):
        if any(s <= match.start() < e for s, e in dates):
            continue
        end = match.end()
        for _ in range(0 if "-" in match.group(0) else 3):  # "two-day" says what it counts: days
            word = _UNIT_WORD.match(text, end)
            verb_like = word is not None and "-" not in word.group(1) and word.group(1).endswith(("ing", "ed", "ly"))
            if word is None or word.group(1).lower() in _UNIT_STOP or verb_like:  # "plastid-dividing rings" counts
                break
            end = word.end()
        before = text[: match.start()].split()[-1:]
        if end == match.end() and before and before[0].lower() in ("the", "these", "those"):
            continue  # "the two holding joint exercises": the two already named, not a count
        yield text[match.start() : end]


def _names(text: str, asked: set[str], initials: set[str]) -> Iterable[str]:
    """Runs of capitalised words, cut at titles ("Islamabad Ambassador Paul Jones" gives "Islamabad"
    and "Paul Jones"), without a sentence's opening word and without the words the question already
    holds at either end ("Pakistani Prime Minister Imran Khan" asked as "Which Pakistani prime
    minister ...?" gives "Imran Khan"), nor an acronym of one of its names ("U.S." for "United States")."""
    for match in _NAME_RUN.finditer(text):
        words = []
        for word in match.group(0).split():  # a possessive ends a name: "Narendra Modi's Hindu ..."
            words.append(_clean(word))  # so does a full stop, unless after an initial ("U.S.") or a title ("Mr.")
            ends = word.endswith(".") and not (_DOTTED.fullmatch(word) or _is_title(word))
            if re.search(r"[\u2019']s$", word) or ends:
                break
        if match.start() == 0 or text[: match.start()].rstrip().endswith(_SENTENCE_OPENING):
            while words and words[0].lower() in _OPENERS:
                words.pop(0)
            if len(words) == 1 and words[0].lower().endswith(("ing", "ed", "es", "ly")):
                words.pop(0)
        region = _REGION_BEFORE.search(text, 0, match.start())  # "central Asia", "southern California"
        first = words[0] if words else ""
        role = _ROLE_AFTER.match(text, match.end()) if words and words[-1].lower() in _OFFICES else None
        for part in _cut_at_titles(words):
            whole = len(part)
            while part and is_asked(_word(part[0]), asked) and part[-1].lower() not in _OFFICES:
                part.pop(0)
            if whole - len(part) >= 2:
                continue  # the rest of the question's own name: "Project" of "Stream Gas Pipeline Project"
            while part and part[0].lower() in ("of", "the"):  # "Cape of Good Hope" asked as "the Cape"
                part.pop(0)
            while part and (part[-1].lower() in ("of", "the") or _trims_end(part, asked)):
                part.pop()
            if part and not (len(part) == 1 and part[0].replace(".", "") in initials):
                opens_run = region is not None and whole == len(part) and part[0] == first
                if role and part[-1] == words[-1]:  # "a Foreign Office spokesperson said": who said it
                    part = [*part, role.group(1)]
                yield f"{region.group(1)} {' '.join(part)}" if opens_run and region else " ".join(part)


# A name's office or ministry that says something: "Russia's foreign ministry said", "Sharif's office said",
# "Pakistan's Foreign Office said".
_SPEAKING_BODY = re.compile(
    rf"(?P<owner>{_NAME_TOKEN}(?:\s+{_NAME_TOKEN})*)[\u2019']s\s+(?:[A-Za-z]+\s+)?(?i:{'|'.join(sorted(_OFFICES))})\b"
    r"(?=\s+(?:said|says|stated|added|announced|told)\b)"
)


def _speaking_bodies(text: str) -> list[tuple[str, str]]:
    """The possessive names of bodies that speak in ``text``, each with its owner: the answer to "Whose
    statement said ...?" is "Sharif's office", not "Sharif"."""
    return [(m.group(0), m.group("owner")) for m in _SPEAKING_BODY.finditer(text)]


def _with_bodies(names: list[str], bodies: list[tuple[str, str]]) -> list[str]:
    """The ``names``, each of the speaking ``bodies`` just before the name that owns it ("Russia's
    foreign ministry", then "Russia"); a body whose owner is not among them, last."""
    spans: list[str] = []
    for name in names:
        spans += [body for body, owner in bodies if owner == name and body not in spans]
        spans.append(name)
    return spans + [body for body, _ in bodies if body not in spans]


# A role after an office's name, not followed by the person's name: "a Foreign Office spokesperson said".
_ROLE_AFTER = re.compile(r"\s+(spokesperson|spokesman|spokeswoman|official|officials)\b(?!\s+[A-Z])")


def _trims_end(part: list[str], asked: set[str]) -> bool:
    """Whether the last word of a name is the question's own word, to be left out ("Sputnik-V Vaccine"
    asked as "which vaccine"); not the kind of body a name ends with ("Dutch East India Company" asked
    as "what trading company"), nor the end of "X of Y" ("Parliament of Victoria", "Victorian")."""
    last = part[-1].lower()
    of_name = len(part) > 2 and part[-2].lower() == "of"
    return is_asked(_word(last), asked) and last not in _BODIES and not of_name


def _cut_at_titles(words: list[str]) -> list[list[str]]:
    """``words`` split where titles stand, the titles (and a nationality before them) left out; the
    name of an office is kept whole ("Foreign Office", "State Department")."""
    if words and words[-1].lower() in _OFFICES:
        return [words]
    parts: list[list[str]] = [[]]
    for i, word in enumerate(words):
        nationality_before_title = bool(_NATIONALITY.match(word)) and i + 1 < len(words) and _is_title(words[i + 1])
        if _is_title(word) or nationality_before_title or _DATE_WORD.fullmatch(word):
            parts.append([])
        else:
            parts[-1].append(word)
    return [p for p in parts if p]


def _is_title(word: str) -> bool:
    return word.lower().rstrip(".") in _TITLES


def _clean(word: str) -> str:
    """A word of a name without a possessive or closing punctuation; "U.S." kept whole."""
    if _DOTTED.fullmatch(word):
        return word
    return re.sub(r"[\u2019']s$", "", word.rstrip(".,;:"))


def is_asked(word: str, asked: set[str]) -> bool:
    """Whether the question holds ``word``, or a form of it (see ``same_word``)."""
    return word in asked or any(same_word(word, a) for a in asked)


# A people's word that does not begin with its country's name.
DEMONYMS = {
    "british": "britain",
    "chinese": "china",
    "french": "france",
    "dutch": "netherlands",
    "english": "england",
    "turkish": "turkey",
    "swiss": "switzerland",
    "spanish": "spain",
    "greek": "greece",
    "irish": "ireland",
    "thai": "thailand",
    "saudi": "saudi arabia",
    "american": "united states",
}


def same_word(a: str, b: str) -> bool:
    """Whether two lower-case words are forms of one ("Pakistani" and "Pakistan", "India" and "Indian":
    one of five letters or more begins the other; "British" and "Britain")."""
    return (
        a == b
        or (min(len(a), len(b)) >= 5 and (a.startswith(b) or b.startswith(a)))
        or DEMONYMS.get(a) == b
        or DEMONYMS.get(b) == a
    )


# Runs of capitalised words, with "of" inside ("Line of Control"): names as the question writes them.
NAME_WORDS = re.compile(r"[A-Z][\w\u2019'-]*(?:\s+(?:of\s+)?[A-Z][\w\u2019'-]*)*")
INITIALISM = re.compile(r"\b(?:[A-Z]\.){2,}")  # an acronym written with stops: "U.S.", "U.N."
_ACRONYM = re.compile(rf"{INITIALISM.pattern}|\b[A-Z]{{2,}}\b")


def acronyms(text: str) -> set[str]:
    """The acronyms ``text`` writes ("U.S.", "LOC") and those its multi-word names make ("Line of
    Control" -> "LOC"), as bare capitals: either way of writing a name finds the other."""
    written = {a.replace(".", "") for a in _ACRONYM.findall(text)}
    made = set()
    for run in NAME_WORDS.findall(text):
        words = run.split()
        words = words[1:] if words[0] == "The" else words  # "The United States" makes "US"
        if len(words) > 1:  # "Line of Control" makes "LC" and "LOC"
            made.add("".join(w[0] for w in words if w[0].isupper()))
            made.add("".join(w[0] for w in words).upper())
    return written | made


def _word(word: str) -> str:
    return re.sub(r"[\u2019']s$", "", word.lower().strip(".,;:?!\"'\u201c\u201d()"))


def _words(text: str) -> set[str]:
    return {_word(w) for w in text.split()} - {""}
