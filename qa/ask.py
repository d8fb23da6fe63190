"""``ask()`` and ``ask_stream()``: retrieve, pick evidence sentences, let the answer model write,
then check what it wrote before presenting it.

Abstention has gates before and after the model. Before: when the retrieved passages' articles lack
a name or number of the question (written out or as an acronym), or the evidence sentences hold less
than ``min_coverage`` of its content terms (IDF-weighted), the model is not called (the extractive
mode, which has no model to refuse or check, asks for ``extractive_min_coverage``). After: when the
model says the sentences do not answer; when its answer only repeats the question or lacks the kind
of thing asked for (a number, a date, a name); when the cited sentences share no word with the
question; or when the cited articles never mention a name of the question. A draft whose words the
cited sentences do not hold is cited to the sentences that hold all of them; failing that, the
answer abstains. An answer that two articles bear out cites both, as does one to a question that
describes what it asks about by what another article says. Last, the model is asked whether the
cited sentences state the answer: a "no" abstains, unless another evidence sentence naming the
answer gets a "yes"."""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from itertools import chain, islice
from pathlib import Path

from qa.answer import (
    ABSTAIN_TEXT,
    NONE_OF_THESE,
    REWRITE_PROMPT,
    SYSTEM_PROMPT,
    VERIFY_PROMPT,
    VERIFY_SCHEMA,
    AnswerStream,
    adds_information,
    answer_schema,
    asks_yes_or_no,
    cite,
    in_their_words,
    parse_reply,
    parse_verdict,
    picks_alternative,
    recite,
    restated_note,
    rewrite_prompt,
    strip_markers,
    unsupported_terms,
    user_prompt,
    verify_prompt,
    with_markers,
)
from qa.attribution import asked_speakers, contradicts_speaker, misses_topic
from qa.bridge import asking_part, bridge_sentence, can_bridge
from qa.config import Settings
from qa.evidence import (
    Evidence,
    asked_attribute,
    asks_for_author,
    coverage,
    expected_type,
    has_type,
    idf_table,
    is_byline,
    mentions_attribute,
    missing_key_terms,
    select_evidence,
    shares_no_term,
    split_hits,
    without_article_references,
    without_set_aside,
)
from qa.generate import Generator, Judge, OpenAICompatibleGenerator, local_generator
from qa.model import BUNDLED, ensure_model_file
from qa.naming import PERSON_QUESTION, Naming, article_text, asks_for_person, names_only_asked, namings, with_names
from qa.retrieve import Retriever, check_question, get_retriever
from qa.scope import as_asked_of_it, asked_article
from qa.spans import AnswerType, answer_candidates
from qa.types import Answer, Chunk, Citation, Hit, Timings, Turn


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
class CorpusFacts:
    """What the checks need of the whole index, computed once per index version."""

    idf: dict[str, float]  # of each content term over the chunks
    texts: dict[str, str]  # each file's indexed text (its chunks joined), by source
    chunks: dict[str, tuple[Chunk, ...]]  # each file's chunks, by source
    articles: dict[str, str]  # each file's text rebuilt from its chunks, at the file's offsets


_facts_lock = threading.Lock()
_facts: dict[Path, CorpusFacts] = {}


def _facts_for(retriever: Retriever) -> CorpusFacts:
    with _facts_lock:
        if retriever.index.path not in _facts:
            chunks = retriever.index.chunks
            by_source: dict[str, list[Chunk]] = {}
            for chunk in chunks:
                by_source.setdefault(chunk.source, []).append(chunk)
            joined = {source: "\n".join(c.text for c in parts) for source, parts in by_source.items()}
            for old in [path for path in _facts if path.parent == retriever.index.path.parent]:
                del _facts[old]  # an index folder's older versions (a web page's uploads) are let go
            grouped = {source: tuple(parts) for source, parts in by_source.items()}
            articles = {source: article_text(parts) for source, parts in grouped.items()}
            _facts[retriever.index.path] = CorpusFacts(idf_table([c.text for c in chunks]), joined, grouped, articles)
        return _facts[retriever.index.path]


def names_missing_from(question: str, sources: Iterable[str], texts: dict[str, str]) -> set[str]:
    """The question's names and numbers that none of the files ``sources`` mentions: an answer drawn
    from an article that never speaks of what was asked ("deaths in the Balakot strikes" answered from
    an article without Balakot) is not an answer to it."""
    files = [Evidence(0, s, texts[s], 0, 0, 0.0) for s in set(sources) if s in texts]
    return missing_key_terms(question, files)


def names_all(question: str, names: set[str], source: str, texts: dict[str, str]) -> bool:
    """Whether the file ``source`` mentions every one of the question's ``names``."""
    return not names_missing_from(question, [source], texts) & names


MAX_NAMING_FILES = 5


def passages_naming(missing: set[str], question: str, hits: Sequence[Hit], facts: CorpusFacts) -> list[Hit]:
    """The retrieved hits, then the chunks of up to ``MAX_NAMING_FILES`` files that mention the names
    ``missing`` (retrieved files first): where a second article's sentence may be found. Files are
    checked only until that many are found."""
    retrieved = list(dict.fromkeys(h.source for h in hits))
    files = chain(retrieved, (s for s in facts.texts if s not in retrieved))
    naming = islice((s for s in files if names_all(question, missing, s, facts.texts)), MAX_NAMING_FILES)
    return [*hits, *(Hit.from_chunk(c, 0.0) for s in naming for c in facts.chunks[s])]


def other_articles(
    draft: str, question: str, citations: Sequence[Citation], hits: Sequence[Hit], first_number: int
) -> list[Evidence]:
    """For an answer that two articles bear out ("Which prime minister appears in both ...?"): from
    each file of ``hits`` not yet cited, its first sentence that holds every word the draft adds to
    the question, numbered from ``first_number`` on, so that each article is cited."""
    cited = {c.source for c in citations}
    found: dict[str, Evidence] = {}
    for source, text, start, end, _, _ in split_hits(hits):
        if source not in cited and source not in found and not unsupported_terms(draft, [text], question):
            found[source] = Evidence(first_number + len(found), source, text, start, end, 0.0)
    return list(found.values())


def numbers_of(citations: Sequence[Citation], evidence: Sequence[Evidence]) -> list[int]:
    """The evidence numbers of the sentences ``citations`` quote."""
    cited = {(c.source, c.start) for c in citations}
    return [e.number for e in evidence if (e.source, e.start) in cited]


def cited_draft(
    draft: str,
    numbers: Sequence[int],
    question: str,
    evidence: Sequence[Evidence],
    hits: Sequence[Hit],
    facts: CorpusFacts,
    named: Sequence[Naming] = (),
) -> tuple[str, tuple[Citation, ...]]:
    """The draft with its citations: the evidence ``numbers`` the model gave, repaired where they fall
    short. A draft whose words its cited sentences do not hold is cited to the sentences that hold every
    word of it (not only what it adds to the question: "Pakistan will buy 150,000 doses" is not borne
    out by "Russia will provide 150,000 more"). When the cited files lack a name of the question, the
    draft is cited to a sentence of a file that names them all, if one holds it; failing that, a
    sentence holding the draft (for a name, its last word) is cited from each other file that names
    them too (retrieved or not). When names are still missing and all of them are in a part of the
    question that only describes ("the attack that led to India's Balakot strikes"), the sentence of
    another article that says most of that part is cited too (see ``qa.bridge``). A name the answer
    model was shown beside a cited sentence's role or pronoun (``named``) is cited to the sentence
    that gives it, beside that one (see ``qa.naming``)."""
    final, citations = cite(draft, numbers, evidence, question)
    pairs = [number for n in named if n.number in numbers for number in (n.number, n.sentence.number)]
    if pairs and unsupported_terms(draft, [c.quote for c in citations], question):
        with_naming = [*evidence, *(n.sentence for n in named)]
        paired, quoted = cite(draft, pairs, with_naming)
        if not unsupported_terms(draft, [c.quote for c in quoted], question):
            (final, citations), evidence = (paired, quoted), with_naming
    if unsupported_terms(draft, [c.quote for c in citations], question):
        recited, quoted = cite(draft, recite(draft, numbers, evidence, question), evidence)
        if quoted and not unsupported_terms(draft, [c.quote for c in quoted], ""):
            final, citations = recited, quoted
    if missing := names_missing_from(question, (c.source for c in citations), facts.texts):
        naming = [e for e in evidence if not names_missing_from(question, [e.source], facts.texts)]
        if numbers := recite(draft, numbers, naming, question):  # one article that names it all
            recited, quoted = cite(draft, numbers, evidence, question)
            if not unsupported_terms(draft, [c.quote for c in quoted], question):
                return recited, quoted
        kept = numbers_of(citations, evidence)
        passages = passages_naming(missing, question, hits, facts)
        more = other_articles(draft, question, citations, passages, len(evidence) + 1)
        still = names_missing_from(question, [*(c.source for c in citations), *(e.source for e in more)], facts.texts)
        if still and not can_bridge(question, still) and expected_type(question) == "name":
            # "COAS Bajwa" bears out "Qamar Javed Bajwa" (not for a bridge: any "Khan" would do for "Asad Majeed Khan")
            more = other_articles(draft.split()[-1], question, citations, passages, len(evidence) + 1)
        final, citations = cite(draft, kept + [e.number for e in more], [*evidence, *more])
        still = names_missing_from(question, (c.source for c in citations), facts.texts)
        if can_bridge(question, still):  # the answer's article, and the one saying what the question describes
            unnaming = {s for s in facts.texts if not names_all(question, still, s, facts.texts)}
            skip = unnaming | {c.source for c in citations}
            bridge = bridge_sentence(question, still, passages, skip, len(evidence) + len(more) + 1, facts.idf)
            if bridge is not None:
                final, citations = cite(draft, kept + [e.number for e in [*more, bridge]], [*evidence, *more, bridge])
    return final, citations


def as_turns(history: Sequence[str | Turn] | None) -> list[Turn]:
    """The earlier exchanges, a bare question counting as one without its answer; blank ones dropped."""
    turns = [h if isinstance(h, Turn) else Turn(h) for h in history or []]
    return [t for t in turns if t.question.strip()]


def turn_of(answer: Answer) -> Turn:
    """The exchange an answer makes, for the history of the next question: its text without markers,
    or no answer when it abstained."""
    return Turn(answer.question, "" if answer.abstained else strip_markers(answer.text)[:300])


def standalone_question(question: str, history: Sequence[Turn], generator: Generator | None) -> str:
    """A follow-up rewritten to stand alone, for retrieval. "he" or "she" after a question for a
    person is the name that answered it; otherwise the model rewrites the follow-up. Without a model
    (or when the model replies with nothing useful, or with a statement for a question), the last
    earlier question and its answer are put in front of it."""
    named = with_person_named(question, history[-1])
    if named:
        return named
    fallback = " ".join(part for part in (history[-1].question, history[-1].answer, question) if part)
    if generator is None:
        return fallback
    raw = "".join(generator.stream(REWRITE_PROMPT, rewrite_prompt(question, history), schema=None, max_tokens=48))
    lines = [line.strip() for line in raw.strip().splitlines() if line.strip()]
    rewritten = lines[0] if lines and len(lines[0]) <= 400 else ""
    if not rewritten or (question.rstrip().endswith("?") and not rewritten.endswith("?")):
        return fallback  # the model answered instead ("Michael Kugelman's research group is based in ...")
    return rewritten


_PERSON_PRONOUN = re.compile(r"\b(?:he|she|him)\b", re.IGNORECASE)
_HIS = re.compile(r"\bhis\b", re.IGNORECASE)
# "it" may be the answer or what the question was about; "his country" is Russia, not "Sergey Lavrov's country".
_OTHER_PRONOUN = re.compile(
    r"\b(?:her|hers|himself|herself|it|its|they|them|their)\b|\bhis\s+(?:country|nation)\b", re.IGNORECASE
)
_NAME = re.compile(r"^[A-Z][\w.\u2019'-]*(?:\s+(?:[A-Z][\w.\u2019'-]*|bin|al|de|van|von)){0,4}$")


def with_person_named(question: str, last: Turn) -> str | None:
    """The follow-up with its one "he", "she" or "him" replaced by the name that answered the
    question before, when that question asked for a person and had no such word itself: "What did he
    tweet?" after "Who is the deputy Asia program director?" (Michael Kugelman) is "What did Michael
    Kugelman tweet?"; with none of those, its one "his" is the name's ("What's his job?": "What's
    David Hale's job?"). None when that is not clear: "it" may be the answer or the thing the
    question was about ("In which city was it held?" after "Which country hosted the meeting?")."""
    name = strip_markers(last.answer).strip().rstrip(".")
    pronouns, possessives = _PERSON_PRONOUN.findall(question), _HIS.findall(question)
    if (
        not (len(pronouns) == 1 or (not pronouns and len(possessives) == 1))
        or _OTHER_PRONOUN.search(question)
        or not _NAME.match(name)
        or not PERSON_QUESTION.search(last.question)
        or _PERSON_PRONOUN.search(last.question)
    ):
        return None
    if pronouns:
        return _PERSON_PRONOUN.sub(name, question, count=1)
    return _HIS.sub(f"{name}'s", question, count=1)


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
    facts = _facts_for(retriever)
    scope = asked_article(search_question, facts.articles)  # "According to Harkirpal Singh, which ...?"
    ranked = retriever.search(search_question, k=max(settings.answer_chunks, settings.candidates if scope else 0))
    hits = top = ranked[: settings.answer_chunks]
    # The named article's best chunks are where the answer is looked for; the others are kept for the checks.
    scoped = [h for h in ranked if h.source == scope][: settings.answer_chunks] if scope else []
    if scoped:
        hits = [*scoped, *(h for h in top if h.source != scope)]
    evidence = select_evidence(
        search_question, scoped or top, retriever.embedder, settings.evidence_sentences, facts.idf
    )
    # The phrase naming the article ("according to the VOA report") need not be in the passage, only in an article.
    about = without_article_references(search_question)
    pools = [evidence]
    if scoped:  # what another article says of the question's other part counts too, as it did
        pools.append(select_evidence(search_question, top, retriever.embedder, settings.evidence_sentences, facts.idf))
    covered = max(coverage(q, pool, facts.idf) for q in {search_question, about} for pool in pools)
    retrieved = time.perf_counter()
    base = Answer(question, "", (), False, tuple(hits), Timings(), search_question, model_name)

    def finish(answer: Answer, first_token: float, prompt: float = 0.0, generation: float = 0.0) -> Answer:
        now = time.perf_counter()
        timings = Timings(
            rewritten - ready, retrieved - rewritten, prompt, first_token or now - started, generation, now - started
        )
        return replace(answer, timings=timings)

    missing = names_missing_from(about, {h.source for h in hits}, facts.texts)
    if about != search_question:
        missing |= names_missing_from(search_question, facts.texts, facts.texts)
    least = settings.min_coverage if model else max(settings.min_coverage, settings.extractive_min_coverage)
    if covered < least or missing or not evidence:
        yield ABSTAIN_TEXT
        reason = f"the articles hold little of what the question asks about (coverage {covered:.2f})"
        if missing:
            reason = f"the articles found do not mention {', '.join(sorted(missing))}"
        yield finish(replace(base, text=ABSTAIN_TEXT, abstained=True, reason=reason), 0.0)
        return

    kind, attribute = expected_type(search_question), asked_attribute(question)

    if attribute:
        no_fit = f"no passage that fits mentions the {attribute} asked about"
    elif kind:
        no_fit = f"no passage holds the {kind} the question asks for"
    else:
        no_fit = "no passage answers the question"
    named = namings(evidence, facts.articles, search_question) if asks_for_person(search_question) else []
    shown = with_names(evidence, named)  # "the foreign secretary (Sohail Mahmood) met ..."
    best_first = sorted(shown, key=lambda e: -e.score)  # the spans of the best-matching sentences
    if asks_for_author(search_question):  # only a byline says who wrote an article
        best_first = [e for e in best_first if is_byline(e.text)] or best_first
    spans = answer_candidates(kind, search_question, [e.text for e in best_first])
    candidates = [c for c in spans if adds_information(c, search_question)][: settings.max_candidates]
    if model is None:  # the best fitting evidence sentence, quoted and cited; or an abstention when none fits
        picked = extractive(evidence, search_question, facts.texts, attribute)
        if picked is None:
            answer = replace(base, text=ABSTAIN_TEXT, abstained=True, reason=no_fit)
        else:
            text, citations = cite(picked[0], [picked[1]], evidence)
            answer = replace(base, text=text, citations=citations)
        answer = finish(answer, 0.0)  # first token = total: the whole text arrives at once
        yield answer.text
        yield answer
        return
    if kind and not candidates:
        yield ABSTAIN_TEXT
        yield finish(replace(base, text=ABSTAIN_TEXT, abstained=True, reason=no_fit), 0.0)
        return

    stream = AnswerStream()
    asked = time.perf_counter()
    first_piece = first_text = 0.0
    prompt = user_prompt(search_question, shown, candidates)
    schema = answer_schema(candidates)  # for a name, number or date: one of the evidence's own
    held, may_decline = "", bool(candidates)  # while the answer may still be NONE_OF_THESE, it is not shown
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
        reason = "the model found no sentence that answers the question"
        yield finish(replace(base, text=ABSTAIN_TEXT, abstained=True, reason=reason), *times)
        return
    draft = strip_markers(reply.answer)
    posed = Posed(question, search_question, about, kind, attribute)
    if restates(draft, search_question) and not posed.yes_or_no:  # one more try (not streamed), told so
        retry = prompt + restated_note(draft)
        again = parse_reply(
            "".join(model.stream(SYSTEM_PROMPT, retry, schema=schema, max_tokens=settings.max_answer_tokens))
        )
        if again.answerable and not restates(strip_markers(again.answer), search_question):
            reply, draft = again, strip_markers(again.answer)
    base = replace(base, draft=draft)
    if posed.yes_or_no:
        # A "yes" or "no" is not what a sentence says ("Did New Delhi respond right away?" / "There was no
        # immediate response from New Delhi"): the answer is the sentence the model cites first, in its words.
        draft = next((e.text for n in reply.evidence for e in evidence if e.number == n), draft)
    final, citations = cited_draft(draft, reply.evidence, search_question, evidence, hits, facts, named)
    quotes = [c.quote for c in citations]
    if problem := problem_with(draft, citations, posed, facts):
        # the model found nothing that answers this question: no sentence is put in its place
        yield finish(replace(base, text=ABSTAIN_TEXT, abstained=True, reason=problem), *times)
    elif citations and not unsupported_terms(draft, quotes, search_question):
        if kind is None:  # a free answer in the cited sentence's own words ("borders and trade")
            final = with_markers(in_their_words(draft, quotes), citations)
        seen = as_shown(citations, shown)  # "The Prime Minister (Imran Khan) reiterated his invitation ..."
        # A named article's question is judged as asked of "the article": its sentences need not name it.
        judged = as_asked_of_it(search_question, scope, facts.articles)
        sure = sureness(model, judged, final, seen) if settings.verify_answers else 1.0
        challenger = rival(draft, candidates, shown) if sure < settings.verify_threshold else None
        if challenger:
            # Another listed answer the second look is clearly surer of ("5 million doses", not the draft's
            # "50,000 doses", for how many Islamabad will buy) is given instead, checked as the draft was.
            other, sentence = challenger
            text, cited = cited_draft(other, [sentence.number], search_question, evidence, hits, facts, named)
            least = max(settings.rival_threshold, sure + settings.rival_margin)
            if clearly_surer(model, judged, other, text, cited, as_shown(cited, shown), posed, facts, least):
                yield finish(replace(base, text=text, citations=cited), *times)
                return
        best = evidence[0]  # [1], the best-matching sentence
        passed_over = settings.verify_answers and sure >= settings.verify_threshold
        # (not for a yes-or-no question: the sentence the model cites is its answer; blind23 o02 lost with [1])
        if kind is None and passed_over and best.number not in numbers_of(citations, evidence) and not posed.yes_or_no:
            # The best-matching sentence, which the model did not cite, may state the answer more surely than
            # the one it read it from ("Bruce said, quoting Rubio." for how Pakistan's Foreign Office
            # spokesperson described the danger of escalation): that sentence is then the answer.
            as_seen = next(e.text for e in shown if e.number == best.number)  # a role followed by its name
            text, cited = cite(best.text, [best.number], evidence)
            least = max(settings.rival_threshold, sure + settings.first_margin)
            if clearly_surer(model, judged, best.text, as_seen, cited, [as_seen], posed, facts, least):
                final, citations = text, cited
        if sure < settings.verify_threshold:
            # The model may have cited one sentence where another that holds its answer says what was asked
            # ("UN Secretary-General Antonio Guterres" / "Guterres, who also spoke with ..."; "Russia has
            # provided 50,000 doses" / "We have provided 50,000 doses ... to Pakistan"): one more look, with both.
            others = holding_elsewhere(draft, kind, search_question, evidence, citations, facts, attribute)
            if others:
                final, citations = cite(draft, [*numbers_of(citations, evidence), others[0].number], evidence)
                if kind is None:
                    final = with_markers(in_their_words(draft, [c.quote for c in citations]), citations)
            seen = as_shown(citations, shown)
            if not others or sureness(model, judged, final, seen) < settings.verify_threshold:
                reason = "the model, asked again, found that the cited sentences do not state this answer"
                yield finish(replace(base, text=ABSTAIN_TEXT, abstained=True, reason=reason), *times)
                return
        yield finish(replace(base, text=final, citations=citations), *times)
    else:  # the model's answer is not what the sentences it cited say (an invented figure, another's words)
        unheld = unsupported_terms(draft, quotes, search_question)
        reason = f"the sentences the model cited do not hold its answer ({', '.join(sorted(unheld)) or 'no citation'})"
        yield finish(replace(base, text=ABSTAIN_TEXT, abstained=True, reason=reason), *times)


def other_speaker(question: str, search_question: str, citations: Sequence[Citation], facts: CorpusFacts) -> str | None:
    """The speaker the question names ("What did David Hale say ...?") when every cited sentence has
    someone else speak ("The foreign secretary highlighted ..."). Only a speaker in the user's own
    words: one the follow-up rewrite put in for "he" may be the wrong one."""
    if not asked_speakers(question):
        return None
    article = "\n".join(facts.texts[s] for s in dict.fromkeys(c.source for c in citations) if s in facts.texts)
    return contradicts_speaker(search_question, [c.quote for c in citations], article)


def as_shown(citations: Sequence[Citation], shown: Sequence[Evidence]) -> list[str]:
    """The cited sentences as the answer model was shown them, each role or pronoun it named followed by
    the name ("The Prime Minister (Imran Khan) reiterated his invitation to President Putin ..."): the
    second look then knows whom a cited sentence means as the answer model did (stop 35: without the name
    it refused "Putin" for whom Imran Khan invited)."""
    texts = {(e.source, e.start): e.text for e in shown}
    return [texts.get((c.source, c.start), c.quote) for c in citations]


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
    if citations and not asks_for_author(question) and shares_no_term(posed.about, quotes):
        return "the cited sentences share no word with the question"  # only a byline says who wrote it
    if missing := names_missing_from(question, (c.source for c in citations), facts.texts):
        return f"the cited articles do not mention {', '.join(sorted(missing))}"
    if posed.attribute and not mentions_attribute(posed.attribute, quotes):
        return f"the cited sentences do not mention the {posed.attribute} asked about"
    if speaker := other_speaker(posed.question, question, citations, facts):
        return f"the cited sentences report what someone other than {speaker} said"
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
    question names ("Secretary of State Marco Rubio" for whom Rubio was to call); never when it is one
    of the answers the question offers."""
    if picks_alternative(draft, question):
        return False
    return not adds_information(draft, question) or names_only_asked(draft, question)


def clearly_surer(
    model: Generator,
    question: str,
    answer: str,
    judged: str,
    citations: Sequence[Citation],
    quotes: Sequence[str],
    posed: Posed,
    facts: CorpusFacts,
    least: float,
) -> bool:
    """Whether another answer than the draft, cited so, passes the draft's checks and the local model's
    second look is at least ``least`` sure that ``quotes`` state it (``judged``: the answer as put to
    it). A reply taken as written has no sureness to compare: never for another backend."""
    if not isinstance(model, Judge) or problem_with(answer, citations, posed, facts):
        return False
    if unsupported_terms(answer, [c.quote for c in citations], posed.search_question):
        return False
    return sureness(model, question, judged, quotes) >= least


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
