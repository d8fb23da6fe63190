"""Who a sentence's role or pronoun is: ``qa.naming`` on the seed articles."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from qa.attribution import names_someone
from qa.citing import cited_draft
from qa.evidence import Evidence
from qa.naming import article_text, asks_for_person, names_only_asked, namings, with_names
from qa.types import Chunk
from tests.test_ask import assert_quoted_from_files, seed_facts, sentence_of

HALE = "001_a6f6af1ea4f89335.txt"
LAVROV = "004_07e1443d25d1940b.txt"
RUBIO = "003_846f8b5f639282ae.txt"
MASHAL = "Which Pakistani official met the outgoing Afghan ambassador Atif Mashal?"


def article_sentence(source: str, opening: str, number: int = 1) -> Evidence:
    """The sentence of the seed article ``source`` that starts with ``opening``, as evidence ``number``."""
    article = seed_facts().articles[source]
    start = article.index(opening)
    end = article.index(".", article.index(opening) + len(opening)) + 1
    return Evidence(number, source, article[start:end], start, end, 1.0)


def test_a_role_is_named_by_the_title_the_article_writes_before_a_name() -> None:
    facts = seed_facts()
    met = article_sentence(HALE, "Also on Tuesday, the foreign secretary met")
    [naming] = namings([met], facts.articles, MASHAL)
    assert (naming.number, naming.name) == (1, "Sohail Mahmood")
    assert naming.sentence.number == 2  # after the evidence shown
    assert naming.sentence.text.startswith("Participating in a virtual call, Foreign Secretary Sohail Mahmood and")
    assert facts.articles[HALE][naming.sentence.start : naming.sentence.end] == naming.sentence.text
    [shown] = with_names([met], [naming])
    assert shown.text.startswith("Also on Tuesday, the foreign secretary (Sohail Mahmood) met outgoing Afghan")
    assert (shown.start, shown.end, shown.source) == (met.start, met.end, met.source)


def test_an_abbreviated_role_is_named_by_the_title_spelled_out() -> None:
    energy = article_sentence(LAVROV, "About opportunities in the energy sector, the Russian FM said")
    [naming] = namings([energy], seed_facts().articles, "Which minister discussed the pipeline?")
    assert naming.name == "Sergey Lavrov"
    assert "Russian Foreign Minister Sergey Lavrov" in naming.sentence.text


def test_a_capitalized_role_with_what_it_is_of_is_named_by_its_title() -> None:
    talks = article_sentence(RUBIO, "The Secretary of State expects to hold talks")
    [naming] = namings([talks], seed_facts().articles, "Which U.S. official urged other world leaders?")
    assert naming.name == "Marco Rubio"
    assert with_names([talks], [naming])[0].text.startswith("The Secretary of State (Marco Rubio) expects")


def test_a_role_is_not_named_for_a_question_about_who_holds_another() -> None:
    """The question "Who was Afghanistan's president?" asks for a president, as "Which president ...?" does."""
    invited = article_sentence(LAVROV, "The Prime Minister reiterated his invitation")
    facts = seed_facts()
    assert [n.name for n in namings([invited], facts.articles, "Who invited Putin to Pakistan?")] == ["Imran Khan"]
    assert namings([invited], facts.articles, "Who was Afghanistan's president at the time?") == []


def test_a_pronoun_that_speaks_is_named_by_the_speaker_before_it() -> None:
    stability = article_sentence(LAVROV, "\u201cThe two countries, we feel, not only share")
    [naming] = namings([stability], seed_facts().articles, "Who called Russia a factor of stability?")
    assert naming.name == "Qureshi"
    assert naming.sentence.text.startswith("In his comments, Qureshi said")
    assert with_names([stability], [naming])[0].text.endswith("\u201d he (Qureshi) said.")


def test_a_party_written_with_its_name_or_named_only_by_a_role_before_it_gets_no_name() -> None:
    facts = seed_facts()
    named = article_sentence(HALE, "Participating in a virtual call, Foreign Secretary Sohail Mahmood")
    assert namings([named], facts.articles, MASHAL) == []
    # "He" follows "The foreign secretary said ...": a role, not a name
    he = article_sentence(HALE, "He reiterated Pakistan")
    assert namings([he], facts.articles, "Who reiterated it?") == []


@pytest.mark.parametrize(
    ("question", "named"),
    [
        (MASHAL, True),  # any official
        ("Who met Atif Mashal on Tuesday?", True),
        ("Who else did Pakistan's foreign secretary meet that Tuesday?", False),  # the role the question says
        ("Which Pakistani prime minister met Atif Mashal?", False),  # another role than the one asked for
        ("Which Pakistani foreign secretary met Atif Mashal?", False),
    ],
)
def test_a_role_is_named_unless_the_question_writes_it_or_asks_for_another(question: str, named: bool) -> None:
    met = article_sentence(HALE, "Also on Tuesday, the foreign secretary met")
    assert bool(namings([met], seed_facts().articles, question)) is named


@pytest.mark.parametrize(
    ("party", "named"),
    [
        ("FM Qureshi", True),
        ("Lavrov", True),
        ("The foreign secretary", False),
        ("the Russian FM", False),
        ("he", False),
    ],
)
def test_names_someone(party: str, named: bool) -> None:
    assert names_someone(party) is named


@pytest.mark.parametrize(
    ("question", "person"),
    [
        ("Who described Russia as a factor of stability?", True),
        ("Which Pakistani official met Atif Mashal?", True),
        ("Pakistan raised human rights with David Hale. Which Pakistani minister briefed Lavrov?", True),
        ("Which country hosted the conference?", False),
        ("What did the foreign secretary say?", False),
    ],
)
def test_asks_for_person(question: str, person: bool) -> None:
    assert asks_for_person(question) is person


def test_a_name_put_beside_a_role_is_cited_to_both_sentences() -> None:
    facts = seed_facts()
    evidence, hit = sentence_of(facts, HALE, "Also on Tuesday, the foreign secretary met")
    question = "Which Pakistani official met the outgoing Afghan ambassador Atif Mashal?"
    named = namings([evidence], facts.articles, question)
    text, citations = cited_draft("Sohail Mahmood", [1], question, [evidence], [hit], facts, named)
    assert text == "Sohail Mahmood [1][2]"
    assert citations[0].quote.startswith("Also on Tuesday, the foreign secretary met")
    assert citations[1].quote.startswith("Participating in a virtual call, Foreign Secretary Sohail Mahmood")
    assert_quoted_from_files(citations)
    unnamed = cited_draft("Sohail Mahmood", [1], question, [evidence], [hit], facts)[1]
    assert unnamed == citations[:1]  # the cited sentence alone does not hold the name: the answer is refused


@given(
    st.text("ab .\n", min_size=1, max_size=40), st.lists(st.tuples(st.integers(0, 40), st.integers(1, 12)), max_size=6)
)
def test_article_text_puts_each_chunk_at_its_offsets(file: str, spans: list[tuple[int, int]]) -> None:
    """Chunks in any order, with gaps or overlapping, each from one file's text."""
    chunks = [Chunk(str(s), "f.txt", file[s : s + n], s, min(s + n, len(file))) for s, n in spans if s < len(file)]
    article = article_text(chunks)
    assert all(article[c.start : c.end] == c.text for c in chunks)
    assert len(article) == max((c.end for c in chunks), default=0)


@pytest.mark.parametrize(
    ("answer", "question", "only_asked"),
    [
        ("Secretary of State Marco Rubio", "After the attack, whom was Marco Rubio getting ready to call?", True),
        ("Foreign Minister Qureshi", "What did Qureshi say he would discuss with Lavrov?", True),
        ("Secretary of State Marco Rubio", "Who is Marco Rubio?", False),  # a title is what is asked
        ("Marco Rubio", "Which U.S. official urged other leaders to call?", False),
        ("Pakistan's foreign secretary", "Who met Atif Mashal for Pakistan?", False),  # a role, no name
        ("Foreign Secretary Sohail Mahmood", "Who did David Hale speak with?", False),
    ],
)
def test_an_answer_that_names_only_someone_the_question_names(answer: str, question: str, only_asked: bool) -> None:
    assert names_only_asked(answer, question) is only_asked
