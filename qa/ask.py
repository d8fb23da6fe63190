"""``ask()`` and ``ask_stream()``: retrieve, pick evidence sentences, let the answer model write,
then check what it wrote before presenting it (``qa.check``).

Abstention has gates before and after the model. Before: when the retrieved passages' articles lack
a name or number of the question (written out or as an acronym), or the evidence sentences hold less
than ``min_coverage`` of its content terms (IDF-weighted), the model is not called (the extractive
mode, which has no model to refuse or check, asks for ``extractive_min_coverage``); nor when a name,
number or date is asked for and no evidence sentence holds one. After: the checks of ``qa.check``
and the model's second look. An answer that two articles bear out cites both, as does one to a
question that describes what it asks about by what another article says (``qa.citing``)."""

from __future__ import annotations

import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from qa.answer import (
    ABSTAIN_TEXT,
    NONE_OF_THESE,
    SYSTEM_PROMPT,
    AnswerStream,
    adds_information,
    answer_schema,
    cite,
    parse_reply,
    restated_note,
    strip_markers,
    user_prompt,
)
from qa.check import Checking, Posed, Reading, refused, restates, settled
from qa.config import Settings
from qa.evidence import (
    Evidence,
    asked_attribute,
    asks_for_author,
    coverage,
    expected_type,
    has_type,
    is_byline,
    mentions_attribute,
    select_evidence,
    without_article_references,
)
from qa.facts import CorpusFacts, facts_for, names_missing_from
from qa.followup import as_turns, standalone_question
from qa.generate import Generator, OpenAICompatibleGenerator, local_generator
from qa.model import BUNDLED, ensure_model_file
from qa.naming import asks_for_person, namings, with_names
from qa.retrieve import Retriever, check_question, get_retriever
from qa.scope import asked_article
from qa.spans import AnswerType, answer_candidates
from qa.types import Answer, Hit, Timings, Turn


def check_length(question: str, settings: Settings) -> str:
    question = check_question(question)
    if len(question) > settings.max_question_chars:
        raise ValueError(
            f"question is too long ({len(question)} characters; the limit is {settings.max_question_chars}): "
            "ask something shorter"
        )
    return question


def make_generator(settings: Settings) -> Generator | None:
    """The answer model the settings name; None for the extractive mode."""
    if settings.answer_backend == "extractive":
        return None
    if settings.answer_backend == "openai":
        return OpenAICompatibleGenerator(settings.openai_base_url, settings.openai_model, settings.openai_api_key)
    model = BUNDLED[settings.local_model]
    return local_generator(ensure_model_file(model, settings.cache_dir), model.name, settings.n_threads)


@dataclass(frozen=True, slots=True)
class Found:
    """What retrieval found for a question."""

    hits: tuple[Hit, ...]  # the passages answers come from: the named article's best first
    evidence: tuple[Evidence, ...]  # their sentences that best match the question, numbered
    scope: str | None  # the article the question names ("According to Harkirpal Singh, ...?"), if any
    about: str  # the question without the phrases that name an article ("according to the VOA report")
    covered: float  # the largest share of the question's content terms (IDF-weighted) the evidence holds


def find(search_question: str, retriever: Retriever, facts: CorpusFacts, settings: Settings) -> Found:
    scope = asked_article(search_question, facts.articles)
    ranked = retriever.search(search_question, k=max(settings.answer_chunks, settings.candidates if scope else 0))
    hits = top = ranked[: settings.answer_chunks]
    # The named article's best chunks are where the answer is looked for; the others are kept for the checks.
    scoped = [h for h in ranked if h.source == scope][: settings.answer_chunks] if scope else []
    if scoped:
        hits = [*scoped, *(h for h in top if h.source != scope)]
    embedder, count = retriever.embedder, settings.evidence_sentences
    evidence = select_evidence(search_question, scoped or top, embedder, count, facts.idf)
    # The phrase naming the article ("according to the VOA report") need not be in the passage, only in an article.
    about = without_article_references(search_question)
    pools = [evidence]
    if scoped:  # what another article says of the question's other part counts too, as it did
        pools.append(select_evidence(search_question, top, embedder, count, facts.idf))
    covered = max(coverage(q, pool, facts.idf) for q in {search_question, about} for pool in pools)
    return Found(tuple(hits), tuple(evidence), scope, about, covered)


def too_little(found: Found, search_question: str, facts: CorpusFacts, least: float) -> str:
    """Why the found passages cannot answer the question, so that no model is asked; "" when they may."""
    missing = names_missing_from(found.about, {h.source for h in found.hits}, facts.texts)
    if found.about != search_question:
        missing |= names_missing_from(search_question, facts.texts, facts.texts)
    if missing:
        return f"the articles found do not mention {', '.join(sorted(missing))}"
    if found.covered < least or not found.evidence:
        return f"the articles hold little of what the question asks about (coverage {found.covered:.2f})"
    return ""


def reading_for(
    found: Found, search_question: str, kind: AnswerType | None, facts: CorpusFacts, settings: Settings
) -> Reading:
    """What the answer model is shown: the evidence, each role or pronoun followed by the name it
    means when a person is asked for, and for a name, number or date the possible answers the
    best-matching sentences hold."""
    evidence = found.evidence
    named = namings(evidence, facts.articles, search_question) if asks_for_person(search_question) else []
    shown = with_names(evidence, named)  # "the foreign secretary (Sohail Mahmood) met ..."
    best_first = sorted(shown, key=lambda e: -e.score)  # the spans of the best-matching sentences
    if asks_for_author(search_question):  # only a byline says who wrote an article
        best_first = [e for e in best_first if is_byline(e.text)] or best_first
    spans = answer_candidates(kind, search_question, [e.text for e in best_first])
    candidates = [c for c in spans if adds_information(c, search_question)][: settings.max_candidates]
    return Reading(evidence, tuple(shown), found.hits, tuple(named), tuple(candidates), found.scope)


def no_fit(kind: AnswerType | None, attribute: str | None) -> str:
    """The reason given when no passage fits what the question asks for."""
    if attribute:
        return f"no passage that fits mentions the {attribute} asked about"
    if kind:
        return f"no passage holds the {kind} the question asks for"
    return "no passage answers the question"


def extractive(
    evidence: Sequence[Evidence],
    question: str,
    texts: dict[str, str] | None = None,
    attribute: str | None = None,
) -> tuple[str, int] | None:
    """The best-scoring evidence sentence that holds the kind of answer asked for (a number, a date,
    a name), and its number; None when no sentence does. Given the files' ``texts``, a sentence from a
    file that lacks a name or number of the question is passed over; given the ``attribute`` asked
    about ("budget"), so is a sentence that does not say it."""
    kind = expected_type(question)
    fitting = [
        e
        for e in evidence
        if has_type(e.text, kind, question)
        and not (texts and names_missing_from(question, [e.source], texts))
        and (attribute is None or mentions_attribute(attribute, [e.text]))
    ]
    if not fitting:
        return None
    best = max(fitting, key=lambda e: e.score)
    return " ".join(best.text.split()), best.number


def ask_stream(
    question: str,
    *,
    history: Sequence[str | Turn] | None = None,
    index_dir: Path | str | None = None,
    settings: Settings | None = None,
    generator: Generator | None = None,
) -> Iterator[str | Answer]:
    """Yields the answer text as it is written, then the full, checked ``Answer`` last. The final
    ``Answer.text`` is what counts: a draft that fails the checks is replaced there. ``history`` holds
    the conversation's earlier questions, or ``Turn``s with the answers they got: a follow-up ("What did
    he say?") is rewritten to stand alone for retrieval."""
    started = time.perf_counter()
    settings = settings or Settings.from_env()
    question = check_length(question, settings)
    turns = as_turns(history)
    retriever = get_retriever(index_dir, settings)
    model = generator or make_generator(settings)
    model_name = model.name if model else "extractive"

    ready = time.perf_counter()  # loading the index or model (first call) is in no stage but the total
    search_question = standalone_question(question, turns, model) if turns else question
    rewritten = time.perf_counter()
    facts = facts_for(retriever)
    found = find(search_question, retriever, facts, settings)
    retrieved = time.perf_counter()
    base = Answer(question, "", (), False, found.hits, Timings(), search_question, model_name)

    def finish(answer: Answer, first_token: float = 0.0, prompt: float = 0.0, generation: float = 0.0) -> Answer:
        now = time.perf_counter()
        timings = Timings(
            rewritten - ready, retrieved - rewritten, prompt, first_token or now - started, generation, now - started
        )
        return replace(answer, timings=timings)

    def abstain(reason: str, *times: float) -> Answer:  # ``times`` as ``finish`` takes them
        return finish(refused(base, reason), *times)

    least = settings.min_coverage if model else max(settings.min_coverage, settings.extractive_min_coverage)
    if gated := too_little(found, search_question, facts, least):
        yield ABSTAIN_TEXT
        yield abstain(gated)
        return

    kind, attribute = expected_type(search_question), asked_attribute(question)
    if model is None:  # the best fitting evidence sentence, quoted and cited; or an abstention when none fits
        picked = extractive(found.evidence, search_question, facts.texts, attribute)
        if picked is None:
            answer = abstain(no_fit(kind, attribute))
        else:
            text, citations = cite(picked[0], [picked[1]], found.evidence)
            answer = finish(replace(base, text=text, citations=citations))  # first token = total: all at once
        yield answer.text
        yield answer
        return
    reading = reading_for(found, search_question, kind, facts, settings)
    if kind and not reading.candidates:
        yield ABSTAIN_TEXT
        yield abstain(no_fit(kind, attribute))
        return

    stream = AnswerStream()
    asked = time.perf_counter()
    first_piece = first_text = 0.0
    prompt = user_prompt(search_question, reading.shown, reading.candidates)
    schema = answer_schema(reading.candidates)  # for a name, number or date: one of the evidence's own
    held, may_decline = "", bool(reading.candidates)  # while the answer may still be NONE_OF_THESE, it is not shown
    for piece in model.stream(SYSTEM_PROMPT, prompt, schema=schema, max_tokens=settings.max_answer_tokens):
        first_piece = first_piece or time.perf_counter()
        held += stream.feed(piece)
        may_decline = may_decline and NONE_OF_THESE.startswith(held)
        if held and not may_decline:
            first_text = first_text or time.perf_counter()
            yield held
            held = ""
    done = time.perf_counter()
    times = ((first_text or done) - started, (first_piece or done) - asked, done - (first_piece or done))

    reply = parse_reply(stream.raw)
    if not reply.answerable or not reply.answer:
        yield abstain("the model found no sentence that answers the question", *times)
        return
    draft = strip_markers(reply.answer)
    posed = Posed(question, search_question, found.about, kind, attribute)
    if restates(draft, search_question) and not posed.yes_or_no:  # one more try (not streamed), told so
        retry = prompt + restated_note(draft)
        again = parse_reply(
            "".join(model.stream(SYSTEM_PROMPT, retry, schema=schema, max_tokens=settings.max_answer_tokens))
        )
        if again.answerable and not restates(strip_markers(again.answer), search_question):
            reply, draft = again, strip_markers(again.answer)
    checking = Checking(posed, reading, facts, model, settings)
    yield finish(settled(replace(base, draft=draft), draft, reply.evidence, checking), *times)


def ask(
    question: str,
    *,
    history: Sequence[str | Turn] | None = None,
    index_dir: Path | str | None = None,
    settings: Settings | None = None,
    generator: Generator | None = None,
) -> Answer:
    """Answers ``question`` from the indexed articles, with citations, or abstains."""
    for item in ask_stream(question, history=history, index_dir=index_dir, settings=settings, generator=generator):
        if isinstance(item, Answer):
            return item
    raise AssertionError("ask_stream ended without an Answer")
