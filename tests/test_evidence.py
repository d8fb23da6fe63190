from __future__ import annotations

import pytest

from qa.evidence import (
    Evidence,
    asked_attribute,
    asks_about_the_article,
    asks_for_author,
    coverage,
    expected_type,
    has_type,
    is_byline,
    is_statement,
    key_terms,
    mentions_attribute,
    missing_key_terms,
    only_a_time,
    question_terms,
    select_evidence,
    shares_no_term,
    without_article_references,
    without_set_aside,
)
from qa.spans import acronyms
from qa.types import Hit
from tests.fakes import HashEmbedder


@pytest.mark.parametrize(
    ("question", "asked"),
    [
        (
            "Besides Twitter, Facebook and Instagram, on which platform can readers follow the site?",
            "On which platform can readers follow the site?",
        ),
        ("Alongside people-to-people contacts, what did he want to boost?", "What did he want to boost?"),
        ("What does the FATF aim to combat besides money laundering?", "What does the FATF aim to combat?"),
        ("Apart from energy and trade, what else did they discuss?", "What else did they discuss?"),
        ("What else had they run out of besides medical oxygen?", "What else had they run out of?"),
        ("What did Mahmood warn, besides India's posturing, posed a threat?", "What did Mahmood warn posed a threat?"),
        # nothing set aside: "alongside" inside the question, no question word after the opening clause
        ("Which minister stood alongside Lavrov?", "Which minister stood alongside Lavrov?"),
        (
            "Besides Pakistan, India's borders with which country?",
            "Besides Pakistan, India's borders with which country?",
        ),
        # nothing left to ask without it
        ("Besides that, what else?", "Besides that, what else?"),
    ],
)
def test_what_a_question_sets_aside_is_left_out_of_what_it_asks(question: str, asked: str) -> None:
    assert without_set_aside(question) == asked


@pytest.mark.parametrize(
    ("question", "kind"),
    [
        ("How many doses will Pakistan buy?", "number"),
        ("By what percentage did trade grow?", "number"),
        ("How long had it been since the last visit?", "number"),
        ("How big an order did Pakistan place?", "number"),
        ("How large is the pipeline?", "number"),
        ("What was the dollar value of the trade?", "number"),
        ("What is the projected price tag of the pipeline?", "number"),
        ("When did it happen?", "date"),
        ("Earlier question? And when did it happen?", "date"),
        ("On what date was the attack?", "date"),
        ("On what exact date did they meet?", "date"),
        ("Which calendar day was the call?", "date"),
        ("When Khan met Putin at the summit, what had he said he wanted?", None),
        ("When the minister arrived, who met him?", "name"),
        ("After the attack, how many people were killed?", "number"),
        ("When, after the attack, did they meet?", "date"),
        ("Which country was Khan visiting when he spoke?", "name"),
        ("Which Pakistani prime minister appears in both articles?", "name"),
        ("Whose occupying forces did they fight?", "name"),
        ("Between which two cities will the pipeline carry gas?", None),
        ("What did the spokesperson say?", None),
        ("What kind of plebiscite do the resolutions call for?", None),
        ("What kind of Afghan government is the United States pushing for?", None),
        ("What type of company is Van Gend en Loos?", None),
        ("Which Afghan government official spoke?", "name"),
        ("Which Russian research institute developed the vaccine?", "name"),
        ("Who is Pakistan's military chief?", "name"),
        ("What is the name of the foreign secretary?", "name"),
        ("Why is FATF pressuring Pakistan?", None),
    ],
)
def test_expected_type(question: str, kind: str | None) -> None:
    assert expected_type(question) == kind


def test_a_phrase_naming_the_article_is_not_what_the_passage_must_hold() -> None:
    assert without_article_references("According to the VOA report, which faith do most follow?") == (
        "which faith do most follow?"
    )
    assert without_article_references("What does IIOJK stand for in the article on Lavrov's visit?") == (
        "What does IIOJK stand for?"
    )
    assert without_article_references("Where does the image in Harkirpal Singh's article come from?") == (
        "Where does the image come from?"
    )
    assert without_article_references("Who wrote the article about Lavrov's talks?") == (
        "Who wrote the article about Lavrov's talks?"
    )
    assert without_article_references("What is in the report?") == "What is in the report?"  # nothing else asked
    # the phrase ends with its sentence, and before "and": the rest of the question still asks
    two = "Khan is prime minister in the VOA story on COVID relief. Who holds that office in the report on Pahalgam?"
    assert without_article_references(two) == "Khan is prime minister. Who holds that office?"
    both = "Which city is the dateline of the report on US diplomacy and the place where Lavrov met Qureshi?"
    assert without_article_references(both) == "Which city is the dateline and the place where Lavrov met Qureshi?"
    assert without_article_references("What did Lavrov offer, according to the story on U.S. aid?") == (
        "What did Lavrov offer?"
    )


def test_sentences_that_share_no_word_with_the_question() -> None:
    question = "On what calendar date did Sohail Mahmood and David Hale hold their virtual call?"
    actions = "The foreign secretary highlighted India's actions of Aug. 5, 2019."
    assert shares_no_term(question, [actions])
    assert not shares_no_term(question, [actions, "Mahmood and Hale spoke on Tuesday."])
    assert not shares_no_term("What did he say?", [actions])  # a question with no terms of its own


def test_only_a_capitalised_name_after_by_makes_a_byline() -> None:
    assert is_byline("By Ayaz Gul")
    assert is_byline("by Staff Report")
    assert not is_byline("By contrast, the apparent reset in Pakistan-Russia relations is a recent phenomenon.")


@pytest.mark.parametrize(
    ("answer", "question", "only_time"),
    [
        ("on Friday", "Where was Trump when he spoke of Kashmir?", True),
        ("last month", "And where did they meet?", True),
        ("the same day", "Where was it announced?", True),
        ("on Friday", "When did Trump speak of Kashmir?", False),  # a time is what is asked
        ("in Islamabad", "Where was he?", False),
        ("in Moscow last month", "Where did they meet?", False),  # a place, and when
        ("Bishkek", "Where had the two met before?", False),
    ],
)
def test_a_where_question_is_not_answered_by_a_time_alone(answer: str, question: str, only_time: bool) -> None:
    assert only_a_time(answer, question) is only_time


def test_has_type() -> None:
    assert has_type("nine years", "number", "How long?")
    assert has_type("5 million doses", "number", "How many?")
    assert not has_type("at his earliest convenience", "date", "When?")
    assert has_type("later this year", "date", "When?")
    assert has_type("on Aug. 5, 2019", "date", "When?")
    assert has_type("Saturday", "date", "On which day was the statement issued?")
    assert has_type("in May", "date", "When?") and has_type("March 3", "date", "When?")
    assert not has_type("we may continue in the path toward peace", "date", "When?")  # the verb, not the month
    assert has_type("General Qamar Javed Bajwa", "name", "Who is Pakistan's military chief?")
    assert not has_type("Russia", "name", "Which Russian institute developed the vaccine?")  # the question's
    assert not has_type("China", "name", "Which Chinese company built it?")
    assert has_type("the Gamaleya Institute", "name", "Which Russian institute developed the vaccine?")
    assert not has_type("The objectives of FATF are to set standards", "name", "Who is the president of FATF?")
    assert has_type("anything", None, "Why?")
    secretary = "What is the name of Pakistan's Foreign Secretary?"
    assert not has_type("The foreign secretary said Pakistan valued its ties with the U.S.", "name", secretary)
    assert has_type("Sohail Mahmood", "name", secretary)


def test_key_terms_are_names_after_the_first_word_and_numbers() -> None:
    assert key_terms("Who won the 2022 FIFA World Cup?") == {"2022", "fifa", "world", "cup"}
    assert key_terms("Which vaccine did Pakistan's Prime Minister buy?") == {"pakistan", "prime", "minister"}
    assert key_terms("Who met Lavrov? And when did Qureshi meet him?") == {"lavrov", "qureshi"}
    # a plural possessive loses its apostrophe; an opening word stays out even with a comma after it
    assert key_terms("Who intercepted Newton on the Panthers' next drive?") == {"newton", "panthers"}
    assert key_terms("Unsurprisingly, the victory against the Soviets failed?") == {"soviets"}
    # nor does a later sentence's opening word, unless a title's dot or an initial's comes before it
    assert key_terms("Which came first? Give the date.") == set()
    assert key_terms("Who named Trump? Which U.S. President met Mr. Khan?") == {"trump", "president", "mr", "khan"}
    assert key_terms("Which came first in 2019: Delhi's move? Give the date.") == {"2019", "delhi"}


def test_a_name_is_found_in_its_singular_and_without_accents() -> None:
    gaga = [Evidence(1, "a.txt", "Six-time Grammy winner Lady Gaga sang.", 0, 38, 1.0)]
    assert missing_key_terms("How many Grammys has Lady Gaga won?", gaga) == set()
    minister = [Evidence(1, "a.txt", "Thomas de Maizière is the interior minister.", 0, 44, 1.0)]
    assert missing_key_terms("What role does Thomas de Maiziere hold?", minister) == set()
    assert missing_key_terms("What role does Thomas Müller hold?", minister) == {"müller"}
    britain = [Evidence(1, "a.txt", "They gained independence from Britain in 1947.", 0, 47, 1.0)]
    assert missing_key_terms("When did they win independence from British rule?", britain) == set()
    assert missing_key_terms("When did they leave the French empire?", britain) == {"french"}
    border = [Evidence(1, "a.txt", "They exchanged fire across the Line of Control in Kashmir.", 0, 58, 1.0)]
    assert missing_key_terms("What has the LoC seen since then?", border) == set()
    assert missing_key_terms("What has the LAC seen since then?", border) == {"lac"}
    deal = [Evidence(1, "a.txt", "The U.S. signed an agreement with the Taliban.", 0, 46, 1.0)]
    assert missing_key_terms("When were American troops to leave?", deal) == set()  # "U.S." is America's
    states = [Evidence(1, "a.txt", "The United States signed an agreement.", 0, 39, 1.0)]
    assert missing_key_terms("When were American troops to leave?", states) == set()
    assert missing_key_terms("Which two Americans spoke?", states) == set()  # a people, as its country
    assert missing_key_terms("When were Saudi troops to leave?", deal) == {"saudi"}


@pytest.mark.parametrize(
    ("question", "sentence", "missing"),
    [
        ("What did he call India's August 2019 moves?", "India's actions of Aug. 5, 2019 were illegal.", set()),
        ("What was updated in March 2021?", "Updated : Mar 08, 2021 14:06 IST", set()),
        ("What happened in September?", "On Sept. 3 talks resumed.", set()),
        ("What happened in March?", "That left a mar on the talks.", {"march"}),  # a word, not a month before a day
        ("What happened in October?", "On Aug. 5 talks resumed.", {"october"}),
    ],
)
def test_a_month_is_found_abbreviated_before_a_day(question: str, sentence: str, missing: set[str]) -> None:
    assert missing_key_terms(question, [Evidence(1, "a.txt", sentence, 0, len(sentence), 1.0)]) == missing


def test_missing_key_terms_and_coverage() -> None:
    evidence = [Evidence(1, "a.txt", "Russia has provided 50,000 doses of its Sputnik-V vaccine.", 0, 58, 1.0)]
    assert missing_key_terms("How many Pfizer doses has Russia provided?", evidence) == {"pfizer"}
    assert coverage("How many Sputnik-V doses has Russia provided?", evidence) == 1.0
    assert coverage("How many Pfizer doses has Russia provided?", evidence) == pytest.approx(
        3 / 4
    )  # provid, dose, russia of pfizer, dose, russia, provid


def test_a_name_is_found_written_out_or_as_its_acronym() -> None:
    assert acronyms("the Line of Control (LOC), the U.S. and the United States") == {"LOC", "LC", "US"}
    hale = [Evidence(1, "a.txt", "U.S. Under Secretary David Hale spoke with Foreign Secretary Mahmood.", 0, 70, 1.0)]
    assert missing_key_terms("Who represented the United States on the call?", hale) == set()
    loc = [Evidence(1, "a.txt", "Clashes along the de facto border, known as the Line of Control.", 0, 64, 1.0)]
    assert missing_key_terms("What is the LOC?", loc) == set()
    assert missing_key_terms("What is the FATF?", loc) == {"fatf"}
    standoff = [Evidence(1, "a.txt", "Pakistan and India exchanged fire.", 0, 34, 1.0)]
    assert missing_key_terms("Who spoke on the India-Pakistan standoff?", standoff) == set()


def test_headings_are_not_evidence_and_a_byline_is_found_by_its_articles_title() -> None:
    assert is_statement("Pakistan offered supplies.") and is_statement("By Ayaz Gul April 25, 2021")
    assert not is_statement("Backchannel peace talks") and not is_statement("Leave a Comment")
    text = "Pakistan Offers India Key Medical Supplies\n\nBy Ayaz Gul April 25, 2021\n\nThe offer came on Saturday."
    hits = [Hit("c1", "a.txt", text, 0, len(text), 1.0)]
    evidence = select_evidence("Who wrote the article about medical supplies?", hits, HashEmbedder(), 1)
    assert [e.text for e in evidence] == ["By Ayaz Gul April 25, 2021"]
    assert text[evidence[0].start : evidence[0].end] == evidence[0].text
    every = select_evidence("Who wrote the article about medical supplies?", hits, HashEmbedder(), 5)
    assert [e.text for e in every] == [
        "By Ayaz Gul April 25, 2021",
        "Pakistan Offers India Key Medical Supplies",  # the only line that says "medical supplies"
        "The offer came on Saturday.",
    ]


def test_a_caption_is_evidence_only_for_a_question_word_no_statement_holds() -> None:
    text = "Pakistan urges talks\nImage Source- Aljazeera\nPakistan urged India to resume talks on Kashmir."
    hits = [Hit("c1", "a.txt", text, 0, len(text), 1.0)]
    image = select_evidence("Where does the image in the article come from?", hits, HashEmbedder(), 5)
    assert "Image Source- Aljazeera" in [e.text for e in image]
    talks = select_evidence("Which country did Pakistan urge to resume talks?", hits, HashEmbedder(), 5)
    assert [e.text for e in talks] == ["Pakistan urged India to resume talks on Kashmir."]


def test_evidence_is_numbered_best_first_not_in_file_order() -> None:
    first = "The weather in Islamabad was mild on Saturday."
    second = "Lavrov said Russia will supply Pakistan with special military equipment."
    hits = [Hit("c1", "a.txt", first, 0, len(first), 0.9), Hit("c2", "b.txt", second, 0, len(second), 0.8)]
    evidence = select_evidence("What equipment will Russia supply Pakistan with?", hits, HashEmbedder(), 2)
    assert [(e.number, e.source) for e in evidence] == [(1, "b.txt"), (2, "a.txt")]
    assert evidence[0].score > evidence[1].score


def test_the_word_naming_the_kind_of_answer_is_not_a_term_the_evidence_must_hold() -> None:
    cities = "Between which two cities will the pipeline carry gas?"
    assert question_terms(cities) == {"between", "pipelin", "carri", "gas"}
    assert question_terms("How long had it been since the last visit?") == {"sinc", "last", "visit"}
    assert question_terms("What percentage did trade grow by?") == {"trade", "grow"}
    assert question_terms("Which vaccine did India send?") == {"vaccin", "india", "send"}


@pytest.mark.parametrize(
    ("question", "attribute"),
    [
        ("What is the budget of the Inter-Governmental Commission?", "budget"),
        ("Who is the president of the Financial Action Task Force?", "president"),
        ("Who is Pakistan's ambassador in Washington?", "ambassador"),
        ("What is the name of the foreign secretary?", None),
        ("Who is the Chief Minister of Punjab?", None),
        ("What did Modi say in reply?", None),
        ("What was produced at Tesla's company?", None),
        ("Who was responsible for the decorations of the room?", None),
        ("What is the opposite of an ongoing role?", None),
        ("What is the ability to adapt to new pathogens called?", None),
    ],
)
def test_asked_attribute(question: str, attribute: str | None) -> None:
    assert asked_attribute(question) == attribute


def test_an_attribute_is_mentioned_by_a_word_of_the_same_stem_start() -> None:
    assert mentions_attribute("spokesman", ["according to the spokesperson Stephane Dujarric"])
    assert mentions_attribute("creators", ["The show was created by William Hanna and Joseph Barbera."])
    assert not mentions_attribute("budget", ["The commission will meet in Moscow this year."])


def test_bylines_come_first_for_a_question_about_who_wrote_an_article() -> None:
    text = "Pakistan offers India aid\nBy Ayaz Gul April 25, 2021\nPakistan offered India ventilators and oxygen kits."
    hits = [Hit("c1", "a.txt", text, 0, len(text), 1.0)]
    question = "Who wrote the article about Pakistan offering India ventilators?"
    assert asks_for_author(question) and not asks_for_author("Who offered India ventilators?")
    best = select_evidence(question, hits, HashEmbedder(), 1)
    assert [e.text for e in best] == ["By Ayaz Gul April 25, 2021"]


def test_what_a_byline_answers() -> None:
    assert asks_about_the_article("Who wrote the article about the ceasefire?")
    assert asks_about_the_article("On what date was Harkirpal Singh's article updated?")
    assert asks_about_the_article("When was Ayaz Gul's report published?")
    assert asks_about_the_article("What date is on Ayaz Gul's VOA story?")
    assert asks_about_the_article("What is the date of the VOA article on the offer?")
    assert not asks_about_the_article("What date does Harkirpal Singh give for Pakistan's reply to the strikes?")
    assert not asks_about_the_article("On what date did Pakistan respond, according to the VOA story?")
