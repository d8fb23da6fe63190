"""Who said it: the speaker a question asks about ("What did David Hale say about ...?") and the
speakers a sentence names ("The foreign secretary highlighted ...", "... ,” said Tammy Bruce").

A sentence in which someone else speaks does not say what the question's speaker said: "The foreign
secretary highlighted India's actions" does not answer "What did David Hale say about India's actions?".
Nor does a sentence that never touches what the speaker was asked about: "Qureshi further said Moscow
acknowledged ..." is not what Qureshi said about the May 1 deadline. Pure functions over text; a
speaker the code cannot pin down (a pronoun, a quote with no one named) never counts against an answer.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from qa.chunking import sentence_spans
from qa.evidence import content_terms
from qa.spans import MONTH_NAMES, WEEKDAY_NAMES, wordset

_ASKED_VERBS = (
    "say|state|add|tell|stress|highlight|emphasi[sz]e|underscore|insist|warn|note|claim|assert|announce|tweet|"
    "write|remark|observe|maintain|reiterate|urge|describe|express|reply|respond|react|confirm|explain|argue|"
    "suggest|declare|acknowledge|admit|deny|comment|predict|vow|pledge|assure|affirm|reaffirm|mention|answer"
)
_SAID = (
    "said|says|stated|states|added|adds|told|tells|stressed|stresses|highlighted|highlights|emphasi[sz]ed|"
    "underscored|insisted|warned|noted|claimed|asserted|announced|tweeted|wrote|writes|remarked|observed|"
    "maintained|reiterated|urged|described|expressed|replied|responded|reacted|confirmed|explained|argued|"
    "suggested|declared|acknowledged|admitted|denied|commented|predicted|vowed|pledged|assured|affirmed|"
    "reaffirmed|mentioned|spoke|quoted"
)
# "What did David Hale say ...", "How did the foreign secretary describe ...", "... , according to Bruce?"
_ASKED = re.compile(
    r"^\s*(?:what|how|why|whom|which\s+\w+)\b.*?\b(?:did|does|do|has|have|had|will|would)\s+"
    r"(?P<who>(?:\S+\s+){0,5}?\S+?)\s+(?:also\s+|further\s+|then\s+)?(?:" + _ASKED_VERBS + r")\b",
    re.IGNORECASE,
)
# What the speaker is asked about, after the verb: "What did Qureshi say about the May 1 deadline?". Not
# "brought about" or "came about", which say what caused something.
_ABOUT = re.compile(r"(?<!brought )(?<!bring )(?<!came )(?<!come )\babout\s+(?P<topic>[^?]+)", re.IGNORECASE)
_ACCORDING = re.compile(r"\baccording\s+to\s+(?P<who>[^,?;]+)", re.IGNORECASE)
_SPEECH = re.compile(r"\b(?:" + _SAID + r")\b")
_PRONOUNS = wordset("he she they we i it you who which that this")
_GROUPS = wordset("both sides two parties countries leaders")
# Lower-case words that may stand in a speaker's name: "the foreign secretary", "sources in Islamabad".
_ROLES = wordset(
    "minister ministry secretary spokesperson spokesman spokeswoman official officials office president "
    "chief commander ambassador envoy director analyst analysts expert experts source sources statement "
    "foreign prime army general deputy state department government premier counterpart leader "
    "military defense defence senior top leaders"
)
# The roles a question for a person names: "Which Russian foreign minister ...?"
PERSON_ROLES = sorted(
    wordset(
        "minister secretary spokesperson spokesman spokeswoman official president chief commander ambassador "
        "envoy director analyst expert leader general premier counterpart diplomat journalist reporter author "
        "officer head member"
    )
)
_JOINERS = wordset("of for in at")
_ADVERBS = wordset("also further then later again earlier reportedly has have had was were is once")
# Words (dots inside kept: "U.S.", "1.6"), each punctuation mark apart: a full stop that ends a sentence
# is no part of its last word ("Khan said.").
_WORD = re.compile(r"(?:[A-Z]\.){2,}|[\w\u2019'.-]*[\w\u2019'-]|[^\w\s]")
_DETERMINERS = wordset("the a an")
# Words that point at a party named elsewhere ("his office", "that minister"), not ones that say which.
_POINTING = _PRONOUNS | wordset("his her its their our my your this these those some many several other")
# "according to the VOA report": a document says it, not a person the sentences must name.
_DOCUMENTS = wordset("report article statement story newspaper headline")
_CALENDAR = MONTH_NAMES | WEEKDAY_NAMES
_ABBREVIATIONS = {"fm": {"foreign", "minister"}, "pm": {"prime", "minister"}}


def asked_speakers(question: str) -> list[str]:
    """Who the question asks about as a speaker: "David Hale" in "What did David Hale say about ...?",
    "Bruce" in "..., according to Bruce?"; none when it names no one (or only "he", "they")."""
    return _asked_subject(question) + _parties([m.group("who") for m in _ACCORDING.finditer(question)])


def _asked_subject(question: str) -> list[str]:
    """The speaker of "What did David Hale say ...?", "How did Afghanistan's government react ...?"."""
    match = _ASKED.match(question)
    return _parties([match.group("who")] if match else [])


def asked_topic(question: str) -> str:
    """What a question asks a speaker about: "the May 1 deadline" in "What did Qureshi say about the May
    1 deadline?"; "" when it does not ask what someone said about something."""
    asked = _ASKED.match(question)
    about = _ABOUT.search(question, asked.end()) if asked else None
    return about.group("topic").strip() if about else ""


def misses_topic(question: str, quotes: Sequence[str]) -> str:
    """The topic of "What did X say about <topic>?" when no quoted sentence holds a word of it: what
    they say is about something else ("Qureshi further said Moscow acknowledged Islamabad's campaign
    against terrorism" for what Qureshi said about the May 1 deadline); else ""."""
    topic = asked_topic(question)
    terms = content_terms(topic)
    if not terms or any(terms & content_terms(quote) for quote in quotes):
        return ""
    return topic


def _role_asked(question: str) -> list[str]:
    """The asked speaker when it ends in a role ("Afghanistan's government"), not in a name: "How does
    VOA describe ...?" asks what the article says, and an article need not name itself."""
    return [w for w in _asked_subject(question) if _party_words(w.split()[-1]) <= _ROLES]


def _parties(found: list[str]) -> list[str]:
    """The named parties among ``found`` (not "he", not "the report", not "pray" for a name)."""
    found = [w for w in (_strip(w) for w in found) if w and not _vague(w)]
    return [w for w in found if not _party_words(w) & _DOCUMENTS and _names_party(w.split())]


def _names_party(words: list[str]) -> bool:
    """Whether ``words`` may name a party: each a word of a name or a role ("Pakistan's foreign
    ministry"), or one of the lower-case words right before a role that say which ("India's external
    affairs ministry", "Pakistani health officials"); not "Imran Khan pray for in his", "his office"."""
    before_role = False
    for word in reversed(words):
        if _party_words(word) and _party_words(word) <= _ROLES:
            before_role = True
        elif _in_name(word):
            before_role = False
        elif not (before_role and word.islower() and word not in _POINTING):
            return False
    return True


def speakers(sentence: str) -> list[str]:
    """The parties ``sentence`` says spoke, as written ("The foreign secretary", "Tammy Bruce"); a
    pronoun ("he", "we") or a group ("both sides") when that is all it says."""
    tokens = _WORD.findall(sentence)
    found = []
    for i, token in enumerate(tokens):
        if _SPEECH.fullmatch(token):
            found.append(_subject_before(tokens, i) or _subject_after(tokens, i))
    found += [m.group("who") for m in _ACCORDING.finditer(sentence)]
    return [s for s in (_strip(s) for s in found) if s]


def contradicts_speaker(question: str, quotes: Sequence[str], article: str) -> str | None:
    """The question's speaker when every quoted sentence names someone else as speaking (and none a
    pronoun), or, for "What did <a role> say ...?", names no one speaking and never mentions that role:
    what they say is not what the question's speaker said ("The prime minister categorically rejected
    ..." for "What did Pakistan's army say ...?"). ``article`` is the cited text, where titles tie
    "the foreign secretary" to "Sohail Mahmood"."""
    asked, role = asked_speakers(question), _role_asked(question)
    if not asked or not quotes:
        return None
    for quote in quotes:
        named = speakers_in_context(quote, article)
        if not named and (not role or any(mentions(a, quote, article) for a in role)):
            return None
        if any(_vague(s) for s in named):
            return None
        if any(same_party(a, s, article) for a in asked for s in named):
            return None
    return asked[0]


def mentions(party: str, sentence: str, article: str) -> bool:
    """Whether ``sentence`` mentions ``party``: its last word ("army" of "Pakistan's army"), or the
    name the article writes after it as a title ("Sohail Mahmood" for "the foreign secretary")."""
    words = _party_words(sentence)
    named = _titled(party, article) - _party_words(party)
    return _party_words(party.split()[-1]) <= words or (bool(named) and named <= words)


def speakers_in_context(sentence: str, article: str, reach: int = 2) -> list[str]:
    """``speakers(sentence)``; for a sentence whose speaker is only a pronoun, or a quotation that names
    no one, the speakers named in the nearest of the ``reach`` sentences before it in its paragraph
    (its line): "Lavrov said ... . \u201cWe feel we may continue ...\u201d" gives "Lavrov"."""
    named = speakers(sentence)
    quoted = sentence.lstrip()[:1] in {"\u201c", '"'}
    if any(not _vague(s) for s in named) or not (named or quoted):
        return named
    found = _named_before(sentence, article, reach)
    return found[0] if found else named


def speaker_before(sentence: str, article: str, at: int, reach: int = 2) -> tuple[str, tuple[int, int]] | None:
    """The first speaker named by the nearest of the ``reach`` sentences before ``sentence`` (at
    offset ``at``) in its paragraph of ``article``, with that sentence's span; None when none names one."""
    found = _named_before(sentence, article, reach, at)
    named = [s for s in found[0] if names_someone(s)] if found else []
    return (named[0], found[1]) if found and named else None


def names_someone(party: str) -> bool:
    """Whether ``party`` ends in a name ("FM Qureshi", "Lavrov"), not in a role ("The foreign
    secretary", "the Russian FM") or a pronoun."""
    last = re.findall(r"[\w\u2019'.-]+", party)[-1:]
    return bool(last) and _is_name(last[0]) and not _party_words(last[0]) <= _ROLES


def _named_before(
    sentence: str, article: str, reach: int, at: int | None = None
) -> tuple[list[str], tuple[int, int]] | None:
    at = article.find(sentence) if at is None else at
    if at < 0:
        return None
    line = article.rfind("\n", 0, at) + 1
    before = [(line + s, line + e) for s, e in sentence_spans(article[line:at])][-reach:]
    for s, e in reversed(before):
        found = speakers(article[s:e])
        if any(not _vague(p) for p in found):
            return found, (s, e)
    return None


def same_party(asked: str, speaker: str, article: str) -> bool:
    """Whether ``speaker`` may be ``asked``: a name word in common ("Mahmood", "Pakistan"), or one's
    words all among the other's and the titles the article writes before its name ("the foreign
    secretary" for "Foreign Secretary Sohail Mahmood")."""
    a, s = _party_words(asked), _party_words(speaker)
    if (a & s) - _ROLES:
        return True
    return s <= a | _titled(asked, article) or a <= s | _titled(speaker, article)


# A capitalised word of a title or a name ("U.S." kept), not one that ends a sentence ("in Moscow.").
TITLE_WORD = r"[A-Z][\w\u2019'.-]*(?<![a-z]\.)"


def _titled(party: str, article: str) -> set[str]:
    """The words of the capitalised titles the article writes right before ``party``'s last word
    ("Foreign Secretary Sohail" before "Mahmood"), and of the names written right after ``party``
    ("Sohail Mahmood" after "Foreign Secretary")."""
    words = [w for w in party.split() if w.lower() not in _DETERMINERS]
    if not words:
        return set()
    last = re.escape(words[-1])
    before = re.finditer(rf"((?:{TITLE_WORD}\s+(?:(?:of|for)\s+)?){{1,6}}){last}\b", article)
    phrase = r"\s+".join(re.escape(w) for w in words)
    after = re.finditer(rf"(?i:{phrase})((?:\s+{TITLE_WORD}){{1,3}})", article)  # any case for the party only
    return {w for m in [*before, *after] for w in _party_words(m.group(1))}


def _subject_before(tokens: list[str], verb: int) -> str:
    """The name or role right before a speech verb ("Bajwa stressed", "the foreign secretary added"),
    a pronoun ("he said"), or the name a "who" points back to ("Guterres, who also spoke")."""
    i = verb - 1
    while i >= 0 and tokens[i].lower() in _ADVERBS:
        i -= 1
    if i >= 0 and tokens[i].lower() in _PRONOUNS - {"who", "which", "that"}:
        return tokens[i]
    if i >= 1 and tokens[i].lower() == "who" and tokens[i - 1] == ",":
        i -= 2
    words: list[str] = []
    while i >= 0:
        token = tokens[i]
        joins = token.lower() in _JOINERS and words and i > 0 and (_is_name(tokens[i - 1]) or tokens[i - 1] in _ROLES)
        if _is_name(token) or token.lower() in _ROLES | _GROUPS or joins:
            words.insert(0, token)
        elif token.lower() in _DETERMINERS:
            if words:
                words.insert(0, token)
            break
        else:
            break
        i -= 1
    return " ".join(words)


def _subject_after(tokens: list[str], verb: int) -> str:
    """The name or role right after a speech verb that follows a quote ("...,” said Tammy Bruce")."""
    if verb == 0 or tokens[verb - 1] not in {",", "\u201d", '"', "\u2019", "'"}:
        return ""
    words: list[str] = []
    for token in tokens[verb + 1 :]:
        if _is_name(token) or token.lower() in _ROLES or (not words and token.lower() in _DETERMINERS):
            words.append(token)
        elif token.lower() in _PRONOUNS:
            return token
        else:
            break
    return " ".join(words)


def _in_name(word: str) -> bool:
    """A word that may be part of a party's name: "the", "Pakistan's", "foreign", "Secretary" (not
    "pray" in "What did Imran Khan pray for in his tweet?")."""
    word = re.sub(r"['\u2019]s$", "", word)
    return _is_name(word) or word.lower() in _ROLES | _DETERMINERS | _JOINERS


def _is_name(token: str) -> bool:
    return token[:1].isupper() and token.lower() not in _PRONOUNS | _CALENDAR


def _strip(party: str) -> str:
    return party.strip(" ,.\u201c\u201d\"'")


def _vague(party: str) -> bool:
    """A pronoun or a group: who it is the sentence alone does not say."""
    words = _party_words(party)
    return not words or words <= _PRONOUNS | _GROUPS


def _party_words(text: str) -> set[str]:
    words: Iterable[str] = (re.sub(r"['\u2019]s$", "", w.lower()) for w in re.findall(r"[\w\u2019'.-]+", text))
    kept = {w.strip(".") for w in words if w.strip(".") and w not in _DETERMINERS}
    return set().union(*(_ABBREVIATIONS.get(w, {w}) for w in kept))
