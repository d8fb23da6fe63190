"""The checks a draft goes through before it is shown, and the second look.

A draft that only repeats the question, lacks the kind of thing asked for (a number, a date, a name),
is cited to sentences that share no word with the question, or to articles that never mention a name of
the question, or to another speaker's words, or only to an article's byline (unless it asks who wrote
the article or when), or that names a person of another country than the one asked for, is refused; so
is one whose words the cited sentences do not hold. Last, the model is asked whether the cited
sentences state the answer (its sureness, for the local model): a "no" abstains, unless another
evidence sentence naming the answer gets a "yes"; another listed answer (a name, number or date) the
second look is clearly surer of is given instead; and an accepted free answer gives way to the
best-matching sentence when the second look is clearly surer of that."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from qa.affiliation import other_side
from qa.answer import (
    ABSTAIN_TEXT,
    VERIFY_PROMPT,
    VERIFY_SCHEMA,
    adds_information,
    asks_yes_or_no,
    cite,
    in_their_words,
    parse_verdict,
    picks_alternative,
    unsupported_terms,
    verify_prompt,
    with_markers,
)
from qa.attribution import asked_speakers, contradicts_speaker, misses_topic
from qa.bridge import asking_part
from qa.citing import as_shown, cited_draft, numbers_of
from qa.config import Settings
from qa.evidence import (
    Evidence,
    asks_about_the_article,
    asks_for_author,
    content_terms,
    has_type,
    is_byline,
    mentions_attribute,
    name_words,
    only_a_time,
    set_aside,
    shares_no_term,
    without_set_aside,
)
from qa.facts import CorpusFacts, names_missing_from
from qa.generate import Generator, Judge
from qa.naming import Naming, names_only_asked
from qa.scope import as_asked_of_it
from qa.spans import AnswerType
from qa.types import Answer, Citation, Hit


@dataclass(frozen=True, slots=True)
class Reading:
    """What the answer model read for a question, which its draft is checked against."""

    evidence: tuple[Evidence, ...]  # the numbered sentences, best-matching first
    shown: tuple[Evidence, ...]  # the same as shown: a role or pronoun followed by the name it means
    hits: tuple[Hit, ...]  # the retrieved passages they come from
    named: tuple[Naming, ...]  # the names put after roles, with the sentences that give them
    candidates: tuple[str, ...]  # the possible answers listed (a name, number or date asked for)
    scope: str | None  # the article the question names, if any


def other_speaker(question: str, search_question: str, citations: Sequence[Citation], facts: CorpusFacts) -> str | None:
    """The speaker the question names ("What did David Hale say ...?") when every cited sentence has
    someone else speak ("The foreign secretary highlighted ..."). Only a speaker in the user's own
    words: one the follow-up rewrite put in for "he" may be the wrong one."""
    if not asked_speakers(question):
        return None
    article = "\n".join(facts.texts[s] for s in dict.fromkeys(c.source for c in citations) if s in facts.texts)
    return contradicts_speaker(search_question, [c.quote for c in citations], article)


def holding_elsewhere(
    draft: str,
    kind: str | None,
    question: str,
    evidence: Sequence[Evidence],
    citations: Sequence[Citation],
    facts: CorpusFacts,
    attribute: str | None,
) -> list[Evidence]:
    """The evidence sentences not cited that hold the draft too (for a name, its last word: "Guterres"
    for "Antonio Guterres"), best first, from articles that mention the question's names (and the
    attribute asked about)."""
    cited = numbers_of(citations, evidence)
    held = draft.split()[-1] if kind == "name" else draft
    return [
        e
        for e in sorted(evidence, key=lambda e: -e.score)
        if e.number not in cited
        and adds_information(held, question)
        and not unsupported_terms(held, [e.text], question)
        and not names_missing_from(question, [e.source], facts.texts)
        and (attribute is None or mentions_attribute(attribute, [e.text]))
    ]


@dataclass(frozen=True, slots=True)
class Posed:
    """A question as the checks of a draft read it."""

    question: str  # the user's words
    search_question: str  # standing alone (a follow-up rewritten)
    about: str  # without the phrases that name an article ("according to the VOA report")
    kind: AnswerType | None  # the name, number or date asked for
    attribute: str | None  # "budget" in "What is the budget of ...?"

    @property
    def yes_or_no(self) -> bool:
        """Whether a yes or a no answers it: the sentence that says which may repeat its words."""
        return self.kind is None and asks_yes_or_no(asking_part(self.search_question))


def problem_with(draft: str, citations: Sequence[Citation], posed: Posed, facts: CorpusFacts) -> str:
    """Why the draft, cited so, does not answer the question; "" when no check finds a reason."""
    question, kind, quotes = posed.search_question, posed.kind, [c.quote for c in citations]
    if restates(draft, question) and not posed.yes_or_no:
        return "the model's answer only repeats the question"
    if not has_type(draft, kind, question):
        return f"the model's answer holds no {kind}, which the question asks for"
    if only_a_time(draft, asking_part(question)):
        return "the model's answer is a time, and the question asks where"
    if citations and not asks_for_author(question) and shares_no_term(posed.about, quotes):
        return "the cited sentences share no word with the question"  # only a byline says who wrote it
    if quotes and all(is_byline(q) for q in quotes) and not asks_about_the_article(question):
        return "the cited sentence is an article's byline, which says who wrote it and when, not what was asked"
    if missing := names_missing_from(question, (c.source for c in citations), facts.texts):
        return f"the cited articles do not mention {', '.join(sorted(missing))}"
    if posed.attribute and not mentions_attribute(posed.attribute, quotes):
        return f"the cited sentences do not mention the {posed.attribute} asked about"
    if speaker := other_speaker(posed.question, question, citations, facts):
        return f"the cited sentences report what someone other than {speaker} said"
    if crossed := other_side(posed.question, draft, facts.texts.values()):
        return crossed
    if topic := misses_topic(question, quotes):
        return f"the cited sentences do not mention {topic}, which the question asks about"
    return ""


def rival(draft: str, candidates: Sequence[str], shown: Sequence[Evidence]) -> tuple[str, Evidence] | None:
    """The first listed possible answer other than the draft that a shown sentence holds, with the
    first such sentence (as shown: a role may be followed by the name it means)."""
    in_order = sorted(shown, key=lambda e: e.number)
    for candidate in (c for c in candidates if c != draft):
        if holding := next((e for e in in_order if candidate.lower() in e.text.lower()), None):
            return candidate, holding
    return None


def restates(draft: str, question: str) -> bool:
    """Whether the draft only repeats the question: it adds nothing, or it names only someone the
    question names ("Secretary of State Marco Rubio" for whom Rubio was to call) or only what it sets
    aside; never when it is one of the answers the question offers."""
    if picks_alternative(draft, question):
        return False
    return (
        not adds_information(draft, question) or names_only_asked(draft, question) or names_set_aside(draft, question)
    )


def names_set_aside(draft: str, question: str) -> bool:
    """Whether every name of the draft is in what the question sets aside ("the Asia-Pacific
    region" for "Apart from West Asia, the Middle East and the Asia-Pacific, which other area ...?"):
    the second look, asked the question without that part (``sureness``), would not see it."""
    names = {w for w in name_words(draft) if content_terms(w)}  # not "The"
    return bool(names) and names <= name_words(set_aside(question))


def clearly_surer(checking: Checking, answer: str, put: str, citations: Sequence[Citation], least: float) -> bool:
    """Whether another answer than the draft, cited so, passes the draft's checks and the local model's
    second look is at least ``least`` sure that the cited sentences, as shown, state it (``put``: the
    answer as put to it). A reply taken as written has no sureness to compare: never for another backend."""
    posed = checking.posed
    if not isinstance(checking.model, Judge) or problem_with(answer, citations, posed, checking.facts):
        return False
    if unsupported_terms(answer, [c.quote for c in citations], posed.search_question):
        return False
    return checking.sureness(put, citations) >= least


def sureness(model: Generator, question: str, answer: str, quotes: Sequence[str]) -> float:
    """How sure the model's second look is that the quoted sentences state ``answer`` to ``question``:
    the probability a model that can say so (the local one) gives "true"; another's reply, as written,
    is 1 or 0. The question is put without what it sets aside ("Besides
    Twitter and Facebook, on which platform ...?" as "On which platform ...?"): an answer that is one of
    those is already refused for only repeating the question, and the model refused right answers
    to such questions (stop 27). Nor is it asked what a two-article question's first sentence says of
    another article ("Pakistan told David Hale ... . According to Russia's foreign ministry, which
    movement ...?"): the cited sentences are the other article's, and it refused right answers so (stop 33)."""
    user = verify_prompt(without_set_aside(asking_part(question)), answer, quotes)
    if isinstance(model, Judge):
        return model.true_probability(VERIFY_PROMPT, user, "supported")
    return float(parse_verdict("".join(model.stream(VERIFY_PROMPT, user, schema=VERIFY_SCHEMA, max_tokens=12))))


@dataclass(frozen=True, slots=True)
class Checking:
    """What the checks of one question's draft need: the question as posed, what the model read, the
    corpus, and the model with its settings."""

    posed: Posed
    reading: Reading
    facts: CorpusFacts
    model: Generator
    settings: Settings

    @property
    def judged(self) -> str:
        """The question as the second look is asked it: a named article's question as asked of "the
        article", whose sentences need not name it."""
        return as_asked_of_it(self.posed.search_question, self.reading.scope, self.facts.articles)

    def sureness(self, answer: str, citations: Sequence[Citation]) -> float:
        """How sure the second look is that the cited sentences, as the model was shown them, state ``answer``."""
        return sureness(self.model, self.judged, answer, as_shown(citations, self.reading.shown))


def settled(answer: Answer, draft: str, numbers: Sequence[int], checking: Checking) -> Answer:
    """``answer`` with what the model's draft, citing the evidence ``numbers``, becomes after the checks
    and the second look: its text and citations, or an abstention with the reason."""
    posed, reading, facts, settings = checking.posed, checking.reading, checking.facts, checking.settings
    question, evidence = posed.search_question, reading.evidence
    if posed.yes_or_no:
        # A "yes" or "no" is not what a sentence says ("Did New Delhi respond right away?" / "There was no
        # immediate response from New Delhi"): the answer is the sentence the model cites first, in its words.
        draft = next((e.text for n in numbers for e in evidence if e.number == n), draft)
    final, citations = cited_draft(draft, numbers, question, evidence, reading.hits, facts, reading.named)
    quotes = [c.quote for c in citations]
    if problem := problem_with(draft, citations, posed, facts):
        # the model found nothing that answers this question: no sentence is put in its place
        return refused(answer, problem)
    unheld = unsupported_terms(draft, quotes, question)
    if not citations or unheld:  # not what the sentences it cited say (an invented figure, another's words)
        held = ", ".join(sorted(unheld)) or "no citation"
        return refused(answer, f"the sentences the model cited do not hold its answer ({held})")
    if posed.kind is None:  # a free answer in the cited sentence's own words ("borders and trade")
        final = with_markers(in_their_words(draft, quotes), citations)
    sure = checking.sureness(final, citations) if settings.verify_answers else 1.0
    if sure < settings.verify_threshold:
        if listed := listed_instead(draft, sure, checking):
            return replace(answer, text=listed[0], citations=listed[1])
        if rechecked := looked_again(draft, citations, checking):
            return replace(answer, text=rechecked[0], citations=rechecked[1])
        return refused(answer, "the model, asked again, found that the cited sentences do not state this answer")
    passed_over = evidence[0].number not in numbers_of(citations, evidence)
    # (not for a yes-or-no question: the sentence the model cites is its answer; blind23 o02 lost with [1])
    if settings.verify_answers and posed.kind is None and passed_over and not posed.yes_or_no:
        final, citations = best_instead(sure, checking) or (final, citations)
    return replace(answer, text=final, citations=citations)


def refused(answer: Answer, reason: str) -> Answer:
    """``answer`` as an abstention, with the reason."""
    return replace(answer, text=ABSTAIN_TEXT, abstained=True, reason=reason)


def listed_instead(draft: str, sure: float, checking: Checking) -> tuple[str, tuple[Citation, ...]] | None:
    """For a refused draft that was one of the listed answers: the first other listed answer a shown
    sentence holds, cited and checked as the draft was, when the second look is clearly surer of it
    ("5 million doses", not the draft's "50,000 doses", for how many Islamabad will buy)."""
    reading, settings = checking.reading, checking.settings
    challenger = rival(draft, reading.candidates, reading.shown)
    if challenger is None:
        return None
    other, sentence = challenger
    question = checking.posed.search_question
    text, cited = cited_draft(
        other, [sentence.number], question, reading.evidence, reading.hits, checking.facts, reading.named
    )
    least = max(settings.rival_threshold, sure + settings.rival_margin)
    if clearly_surer(checking, other, text, cited, least):
        return text, cited
    return None


def looked_again(
    draft: str, citations: Sequence[Citation], checking: Checking
) -> tuple[str, tuple[Citation, ...]] | None:
    """The model may have cited one sentence where another that holds its answer says what was asked
    ("UN Secretary-General Antonio Guterres" / "Guterres, who also spoke with ..."; "Russia has provided
    50,000 doses" / "We have provided 50,000 doses ... to Pakistan"): the draft cited to both, when a
    second look at both accepts it."""
    posed, evidence = checking.posed, checking.reading.evidence
    others = holding_elsewhere(
        draft, posed.kind, posed.search_question, evidence, citations, checking.facts, posed.attribute
    )
    if not others:
        return None
    final, cited = cite(draft, [*numbers_of(citations, evidence), others[0].number], evidence)
    if posed.kind is None:
        final = with_markers(in_their_words(draft, [c.quote for c in cited]), cited)
    if checking.sureness(final, cited) < checking.settings.verify_threshold:
        return None
    return final, cited


def best_instead(sure: float, checking: Checking) -> tuple[str, tuple[Citation, ...]] | None:
    """For an accepted free answer whose citations leave out [1], the best-matching sentence: it may
    state the answer more surely than the one the model read it from ("Bruce said, quoting Rubio." for
    how Pakistan's Foreign Office spokesperson described the danger of escalation). That sentence,
    whole, when the second look is clearly surer of it."""
    reading, settings = checking.reading, checking.settings
    best = reading.evidence[0]
    as_seen = next(e.text for e in reading.shown if e.number == best.number)  # a role followed by its name
    text, cited = cite(best.text, [best.number], reading.evidence)
    least = max(settings.rival_threshold, sure + settings.first_margin)
    if clearly_surer(checking, best.text, as_seen, cited, least):
        return text, cited
    return None
