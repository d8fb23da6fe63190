"""``ask()`` and ``ask_stream()``: retrieve, pick evidence sentences, let the answer model write,
then check what it wrote before presenting it.

Abstention has two gates. Before the model: when the passages lack a name or number of the
question, or hold less than ``min_coverage`` of its content terms (IDF-weighted), the model is not
called. After it: when the model says the sentences do not answer. A draft that invents names or
numbers, cites nothing valid, adds nothing to the question, or lacks the kind of thing asked for
(a number, a date, a name) is replaced by the best fitting evidence sentence, quoted and cited;
when no sentence fits, the answer abstains."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import replace
from pathlib import Path

from qa.answer import (
    ABSTAIN_TEXT,
    ANSWER_SCHEMA,
    REWRITE_PROMPT,
    SYSTEM_PROMPT,
    AnswerStream,
    adds_information,
    cite,
    parse_reply,
    rewrite_prompt,
    strip_markers,
    unsupported_terms,
    user_prompt,
)
from qa.config import Settings
from qa.evidence import (
    Evidence,
    coverage,
    expected_type,
    has_type,
    idf_table,
    missing_key_terms,
    select_evidence,
)
from qa.generate import Generator, OpenAICompatibleGenerator, local_generator
from qa.model import BUNDLED, ensure_model_file
from qa.retrieve import Retriever, check_question, get_retriever
from qa.types import Answer, Timings


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


_idf_lock = threading.Lock()
_idf: dict[Path, dict[str, float]] = {}


def _idf_for(retriever: Retriever) -> dict[str, float]:
    with _idf_lock:
        if retriever.index.path not in _idf:
            _idf[retriever.index.path] = idf_table([c.text for c in retriever.index.chunks])
        return _idf[retriever.index.path]


def standalone_question(question: str, history: Sequence[str], generator: Generator | None) -> str:
    """A follow-up rewritten to stand alone, for retrieval. Without a model (or when the model
    replies with nothing useful), the last earlier question is put in front of it."""
    fallback = f"{history[-1]} {question}"
    if generator is None:
        return fallback
    raw = "".join(generator.stream(REWRITE_PROMPT, rewrite_prompt(question, history), schema=None, max_tokens=48))
    lines = [line.strip() for line in raw.strip().splitlines() if line.strip()]
    return lines[0] if lines and len(lines[0]) <= 400 else fallback


def extractive(evidence: Sequence[Evidence], question: str, prefer: Sequence[int] = ()) -> tuple[str, int] | None:
    """The best-scoring evidence sentence that holds the kind of answer asked for (a number, a date,
    a name), among ``prefer`` when any qualifies, and its number; None when no sentence does."""
    kind = expected_type(question)
    fitting = [e for e in evidence if has_type(e.text, kind, question)]
    pool = [e for e in fitting if e.number in set(prefer)] or fitting
    if not pool:
        return None
    best = max(pool, key=lambda e: e.score)
    return " ".join(best.text.split()), best.number


def ask_stream(
    question: str,
    *,
    history: Sequence[str] | None = None,
    index_dir: Path | str | None = None,
    settings: Settings | None = None,
    generator: Generator | None = None,
) -> Iterator[str | Answer]:
    """Yields the answer text as it is written, then the full, checked ``Answer`` last. The final
    ``Answer.text`` is what counts: a draft that fails the checks is replaced there."""
    started = time.perf_counter()
    settings = settings or Settings.from_env()
    question = check_length(question, settings)
    history = [h for h in (history or []) if h.strip()]
    retriever = get_retriever(index_dir, settings)
    model = generator or make_generator(settings)
    model_name = model.name if model else "extractive"

    search_question = standalone_question(question, history, model) if history else question
    rewritten = time.perf_counter()
    hits = retriever.search(search_question, k=settings.answer_chunks)
    evidence = select_evidence(search_question, hits, retriever.embedder, settings.evidence_sentences)
    covered = coverage(search_question, evidence, _idf_for(retriever))
    retrieved = time.perf_counter()
    base = Answer(question, "", (), False, tuple(hits), Timings(), search_question, model_name)

    def finish(answer: Answer, first_token: float, prompt: float = 0.0, generation: float = 0.0) -> Answer:
        now = time.perf_counter()
        timings = Timings(
            rewritten - started, retrieved - rewritten, prompt, first_token or now - started, generation, now - started
        )
        return replace(answer, timings=timings)

    missing = missing_key_terms(search_question, evidence)
    if covered < settings.min_coverage or missing or not evidence:
        yield ABSTAIN_TEXT
        reason = f"the articles hold little of what the question asks about (coverage {covered:.2f})"
        if missing:
            reason = f"the passages found do not mention {', '.join(sorted(missing))}"
        yield finish(replace(base, text=ABSTAIN_TEXT, abstained=True, reason=reason), 0.0)
        return

    def fallback(
        prefer: Sequence[int], why: str, first_token: float, prompt: float = 0.0, generation: float = 0.0
    ) -> Answer:
        """The best fitting evidence sentence, quoted and cited; or an abstention when none fits."""
        picked = extractive(evidence, search_question, prefer)
        if picked is None:
            answer = replace(base, text=ABSTAIN_TEXT, abstained=True, reason=why)
        else:
            text, citations = cite(picked[0], [picked[1]], evidence)
            answer = replace(base, text=text, citations=citations)
        return finish(answer, first_token, prompt, generation)

    no_fit = f"no passage holds the {expected_type(search_question)} the question asks for"
    if model is None:
        answer = fallback((), no_fit, 0.0)  # first token = total: the whole text arrives at once
        yield answer.text
        yield answer
        return

    stream = AnswerStream()
    asked = time.perf_counter()
    first_piece = first_text = 0.0
    prompt = user_prompt(search_question, evidence)
    for piece in model.stream(SYSTEM_PROMPT, prompt, schema=ANSWER_SCHEMA, max_tokens=settings.max_answer_tokens):
        first_piece = first_piece or time.perf_counter()
        text = stream.feed(piece)
        if text:
            first_text = first_text or time.perf_counter()
            yield text
    done = time.perf_counter()
    times = ((first_text or done) - started, (first_piece or done) - asked, done - (first_piece or done))

    reply = parse_reply(stream.raw)
    if not reply.answerable or not reply.answer:
        reason = "the model found no sentence that answers the question"
        yield finish(replace(base, text=ABSTAIN_TEXT, abstained=True, reason=reason), *times)
        return
    draft = strip_markers(reply.answer)
    final, citations = cite(draft, reply.evidence, evidence, search_question)
    kind = expected_type(search_question)
    grounded = (
        citations
        and not unsupported_terms(draft, [c.quote for c in citations], search_question)
        and adds_information(draft, search_question)
        and has_type(draft, kind, search_question)
    )
    base = replace(base, draft=draft)
    if grounded:
        yield finish(replace(base, text=final, citations=citations), *times)
    else:
        yield fallback(reply.evidence, no_fit, *times)


def ask(
    question: str,
    *,
    history: Sequence[str] | None = None,
    index_dir: Path | str | None = None,
    settings: Settings | None = None,
    generator: Generator | None = None,
) -> Answer:
    """Answers ``question`` from the indexed articles, with citations, or abstains."""
    for item in ask_stream(question, history=history, index_dir=index_dir, settings=settings, generator=generator):
        if isinstance(item, Answer):
            return item
    raise AssertionError("ask_stream ended without an Answer")
