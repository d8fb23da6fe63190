from __future__ import annotations

import pytest

from qa.bridge import asking_sentences
from qa.scope import as_asked_of_it, asked_article, file_named
from tests.conftest import SEEDS

ARTICLES = {path.name: path.read_text(encoding="utf-8") for path in sorted(SEEDS.glob("*.txt"))}
VOA, HALE, SINGH, PAHALGAM, LAVROV = sorted(ARTICLES)


@pytest.mark.parametrize(
    ("question", "article"),
    [
        ("According to Harkirpal Singh, when did tensions between India and Pakistan severely intensify?", SINGH),
        ("Which gas pipeline project is also called the 'North-South' pipeline in the Lavrov report?", LAVROV),
        ("What is the FATF for, according to the article on Pakistan's call for talks with India?", SINGH),
        ("Who is credited as the author of the article on Pakistan seeking U.S. help?", HALE),
        ("What job does Tammy Bruce hold, according to the report on the Pahalgam standoff?", PAHALGAM),
        ("Kashmir was the cause of how many India-Pakistan wars, according to the VOA story?", VOA),
        ("What date does Harkirpal Singh give for Pakistan's reply to India's Balakot strikes?", SINGH),  # the byline
        # the names written out (the publisher, in the footer) beat another file's initials ("IP" in the Lavrov report)
        ("What is the US trying to defuse, according to the Independent Pakistan report?", PAHALGAM),
        ("What does the article on Sergey Lavrov's visit say about gas?", LAVROV),  # not "SL" for "Sri Lanka"
        (  # only the sentence that asks is read: the one before describes what another article says
            "VOA says Imran Khan wants a stable relationship with India. According to Harkirpal Singh, which "
            "Indian leader did Khan tell that dialogue was the way forward?",
            SINGH,
        ),
        (  # and only the clause that asks, after a semicolon
            "Harkirpal Singh reports a ceasefire reached through DGMO hotline contact; in which month did the "
            "border commanders agree to it, according to the VOA report?",
            VOA,
        ),
    ],
)
def test_a_question_that_names_its_article_is_asked_of_that_file(question: str, article: str) -> None:
    assert asked_article(question, ARTICLES) == article


@pytest.mark.parametrize(
    "question",
    [
        "What is Pakistan's only dispute with India?",  # names no article
        "According to the article, what is Pakistan on the verge of?",  # which one?
        "According to Pakistan's Foreign Office spokesperson, what is the single issue dividing them?",  # all five
        "According to Imran Khan, what is the only way the subcontinent can tackle poverty?",  # in three files
        "Which U.S. president is named both in the article on the Hale call and in the Pahalgam report?",  # two
        "Which was dated earlier: Harkirpal Singh's article or Ayaz Gul's VOA report?",  # two
        "According to the BBC report, how many doses will Pakistan buy?",  # no file holds "BBC"
        "Which Indian newspaper was the first to report the secret talks?",  # "report" the verb
    ],
)
def test_a_question_that_names_no_one_article_is_asked_of_them_all(question: str) -> None:
    assert asked_article(question, ARTICLES) is None


def test_an_article_phrase_without_names_is_matched_by_its_title_words() -> None:
    assert file_named("the article on Pakistan urging bilateral talks", ARTICLES) == SINGH
    assert file_named("the article on Pakistan", ARTICLES) is None  # one shared word is not enough
    assert file_named("Pakistan's foreign office", ARTICLES, by_title=False) is None  # a speaker, not an article


def test_the_asking_part_starts_at_the_first_sentence_that_asks() -> None:
    assert asking_sentences("VOA says X. Which Y? Give the date.") == "Which Y? Give the date."
    assert asking_sentences("A says X; which Y?") == "which Y?"
    assert asking_sentences("Name the minister.") == "Name the minister."


@pytest.mark.parametrize(
    ("question", "plain"),
    [
        (
            "According to Harkirpal Singh, which Indian leader did Khan tell that dialogue was the way forward?",
            "According to the article, which Indian leader did Khan tell that dialogue was the way forward?",
        ),
        (
            "VOA says the Pulwama bombing prompted airstrikes. What name does Harkirpal Singh's article give them?",
            "VOA says the Pulwama bombing prompted airstrikes. What name does the article give them?",
        ),
        (
            "In what year was the Taliban driven from power, according to the Lavrov report?",
            "In what year was the Taliban driven from power, according to the article?",
        ),
        (  # the author's name in any case
            "What date does harkirpal singh give for Pakistan's reply to the Balakot strikes?",
            "What date does the article give for Pakistan's reply to the Balakot strikes?",
        ),
        (  # a speaker stays: the sentences must still say it is his
            "According to Lavrov, what will begin once the new protocol is signed?",
            "According to Lavrov, what will begin once the new protocol is signed?",
        ),
        ("What is Pakistan's only dispute with India?", "What is Pakistan's only dispute with India?"),
    ],
)
def test_the_second_look_is_asked_of_the_article_plainly(question: str, plain: str) -> None:
    assert as_asked_of_it(question, asked_article(question, ARTICLES), ARTICLES) == plain
