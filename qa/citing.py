"""A draft's citations: the sentences the model gave, repaired where they fall short (a sentence
that does not hold the draft, an article that never mentions a name of the question, an answer two
articles bear out), and the cited sentences as the model was shown them."""

from __future__ import annotations

from collections.abc import Sequence
from itertools import chain, islice

from qa.answer import cite, recite, unsupported_terms
from qa.bridge import bridge_sentence, can_bridge
from qa.evidence import Evidence, expected_type, split_hits
from qa.facts import CorpusFacts, names_all, names_missing_from
from qa.naming import Naming
from qa.types import Citation, Hit

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


def as_shown(citations: Sequence[Citation], shown: Sequence[Evidence]) -> list[str]:
    """The cited sentences as the answer model was shown them, each role or pronoun it named followed by
    the name ("The Prime Minister (Imran Khan) reiterated his invitation to President Putin ..."): the
    second look then knows whom a cited sentence means as the answer model did (stop 35: without the name
    it refused "Putin" for whom Imran Khan invited)."""
    texts = {(e.source, e.start): e.text for e in shown}
    return [texts.get((c.source, c.start), c.quote) for c in citations]
