from __future__ import annotations

from qa.affiliation import asked_side, other_side, sides

ARTICLE = (
    "ISLAMABAD: Russian Foreign Minister Sergey Lavrov met Prime Minister Imran Khan.\n"
    "Pakistani Prime Minister Imran Khan prayed for India. Pakistan\u2019s foreign minister, Shah Mahmoud Qureshi, "
    "spoke next.\n"
    "The foreign secretary met outgoing Afghan ambassador Atif Mashal. Prime Minister Shehbaz Sharif called.\n"
    "Later, Foreign Minister of the Russian Federation Sergey Lavrov left."
)


def test_the_country_of_the_person_a_question_asks_for() -> None:
    assert asked_side("Which Pakistani official will sign the protocol?") == "Pakistan"
    assert asked_side("Which Indian foreign minister spoke with Guterres?") == "India"
    assert asked_side("Who is Russia's defence minister?") == "Russia"
    assert asked_side("Who represented India at the summit in Bishkek?") == "India"
    assert asked_side("Which U.S. official urged calm?") == "the United States"
    # a place, a thing or no country asked for is not a person's side
    assert asked_side("Which Pakistani city was hit hardest?") is None
    assert asked_side("Which official will sign the protocol?") is None
    assert asked_side("What did Pakistan's foreign minister say?") is None


def test_the_countries_a_title_ties_a_person_to() -> None:
    assert sides("Sergey Lavrov", ARTICLE) == {"Russia"}
    assert sides("Lavrov", ARTICLE) == {"Russia"}
    assert sides("Imran Khan", ARTICLE) == {"Pakistan"}
    assert sides("Qureshi", ARTICLE) == {"Pakistan"}
    assert sides("Atif Mashal", ARTICLE) == {"Afghanistan"}
    # a title without a country, or no title, ties no one
    assert sides("Shehbaz Sharif", ARTICLE) == set()
    assert sides("Guterres", ARTICLE) == set()


def test_a_person_of_another_country_than_the_one_asked_for_does_not_answer() -> None:
    question = "Which Pakistani official will sign the protocol?"
    assert other_side(question, "Sergey Lavrov", [ARTICLE]) == (
        "the articles tie Sergey Lavrov to Russia, and the question asks for Pakistan's"
    )
    assert other_side(question, "Russian Foreign Minister Sergey Lavrov will sign it.", [ARTICLE]) == (
        "the articles tie Sergey Lavrov to Russia, and the question asks for Pakistan's"
    )
    assert other_side("Who represented India at the summit?", "Imran Khan", [ARTICLE]) == (
        "the articles tie Imran Khan to Pakistan, and the question asks for India's"
    )
    # the country asked for, a person no title ties to a country, a person the question names, no person
    assert other_side(question, "Imran Khan", [ARTICLE]) == ""
    assert other_side(question, "Shehbaz Sharif", [ARTICLE]) == ""
    assert other_side("Which Pakistani official met Lavrov?", "Imran Khan met Sergey Lavrov.", [ARTICLE]) == ""
    assert other_side("Who represented Pakistan at the meeting?", "Russia", [ARTICLE]) == ""
    assert other_side("Which official will sign the protocol?", "Sergey Lavrov", [ARTICLE]) == ""
