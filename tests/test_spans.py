from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from qa.spans import acronyms, answer_candidates, asks_for_money, introduced_by_question_words

CALL = (
    "Participating in a virtual call, Foreign Secretary Sohail Mahmood and U.S. Under Secretary for Political "
    "Affairs Ambassador David Hale exchanged views on peace and stability in South Asia."
)
PRESENT = (
    "Ambassador of Pakistan in Washington Asad Majeed Khan and U.S. Chargé d\u2019affaires in Islamabad "
    "Ambassador Paul Jones were also present on the call, along with senior officials of both countries."
)


def test_names_lose_titles_openers_and_the_question_own_words() -> None:
    question = "Who represented the United States in the virtual call with Pakistan's foreign secretary?"
    assert answer_candidates("name", question, [CALL]) == ["Sohail Mahmood", "David Hale", "South Asia"]
    # a run of names without a title between them stays whole ("Washington Asad Majeed Khan")
    assert answer_candidates("name", question, [PRESENT]) == ["Washington Asad Majeed Khan", "Islamabad", "Paul Jones"]
    # a form of a name the question holds is no answer to it: "Pakistani" for "Pakistan's"
    assert answer_candidates(
        "name", "Who is Pakistan's foreign minister?", ["Pakistani FM Shah Mahmood Qureshi said"]
    ) == ["Shah Mahmood Qureshi"]


def test_a_name_the_question_asks_about_is_no_candidate() -> None:
    sentence = "The offer came on the same day Pakistani Prime Minister Imran Khan, in a tweet, prayed for Indians."
    assert answer_candidates("name", "Which Pakistani prime minister prayed for Indians?", [sentence]) == ["Imran Khan"]
    byline = "By Ayaz Gul April 25, 2021"
    assert answer_candidates("name", "Who wrote the article?", [byline]) == ["Ayaz Gul"]


def test_numbers_keep_what_they_count_and_skip_dates_and_the_question_figures() -> None:
    pipeline = (
        "an ambitious project to transport 1.6 billion cubic feet per day of regasified liquefied natural gas "
        "(LNG) from Karachi to Lahore"
    )
    assert answer_candidates("number", "How much gas per day?", [pipeline]) == ["1.6 billion cubic feet"]
    wars = "Both have fought two of their three wars over Kashmir since they gained independence in 1947."
    assert answer_candidates("number", "How many of their three wars were over Kashmir?", [wars]) == ["two"]
    cases = "The ministry said on Sunday it had recorded 349,691 new COVID-19 cases in the previous 24-hour period."
    assert answer_candidates("number", "How many new cases?", [cases]) == ["349,691 new COVID-19 cases"]
    assert answer_candidates("number", "By what percentage?", ["a 46 percent increase in trade"]) == [
        "46 percent increase"
    ]


def test_a_figure_counting_something_else_does_not_answer_how_many() -> None:
    sentence = "The two sides, 26 tourists and the two countries signed 3 accords."
    assert answer_candidates("number", "How many countries signed?", [sentence]) == ["two countries"]
    assert answer_candidates("number", "How much was signed?", [sentence]) == [
        "two sides",
        "26 tourists",
        "two countries",
        "3 accords",
    ]


def test_a_length_of_time_written_with_a_hyphen_counts_its_unit() -> None:
    visit = "Lavrov, who is in Islamabad on a two-day visit, said a 24-hour curfew held and COVID-19 spread."
    assert answer_candidates("number", "How many days did Lavrov spend in Pakistan?", [visit]) == ["two-day"]
    assert answer_candidates("number", "How long was the curfew?", [visit]) == ["two-day", "24-hour"]
    assert answer_candidates("number", "How many hours did the curfew last?", [visit]) == ["24-hour"]
    assert answer_candidates("number", "How many people were killed?", [visit]) == []


def test_a_count_of_the_thing_asked_must_also_be_the_kind_asked() -> None:
    sentence = "The two countries agreed, and 40 Indian paramilitary troops were killed."
    assert answer_candidates("number", "How many member countries agreed?", [sentence]) == []
    assert answer_candidates("number", "How many countries agreed?", [sentence]) == ["two countries"]
    assert answer_candidates("number", "How many Indian paramilitary troops were killed?", [sentence]) == [
        "40 Indian paramilitary troops"
    ]


def test_people_are_counted_as_persons_of_any_kind() -> None:
    sentence = "The two countries agreed, and 40 Indian paramilitary troops were killed."
    assert answer_candidates("number", "How many people died?", [sentence]) == ["40 Indian paramilitary troops"]
    assert answer_candidates("number", "How many people lost their lives?", ["It killed 26 tourists."]) == [
        "26 tourists"
    ]
    assert answer_candidates("number", "How many civilians were killed?", [sentence]) == []
    assert answer_candidates("number", "How many people were injured?", [sentence]) == []
    assert answer_candidates("number", "How many people were arrested for it?", ["It killed 26 tourists."]) == []
    assert answer_candidates("number", "How many lives were lost in it?", ["It killed 26 tourists."]) == ["26 tourists"]


def test_who_did_it_is_not_what_happened_to_the_people_counted() -> None:
    """The "it" of the question is the attack: the sentence need not hold the pronoun, only the killing."""
    attack = ["An April 22 attack in Pahalgam, the disputed Kashmir region, which killed 26 tourists."]
    assert answer_candidates("number", "How many people did it kill?", attack) == ["26 tourists"]
    assert answer_candidates("number", "How many people did they arrest?", attack) == []


def test_persons_counted_by_another_name_answer_how_many() -> None:
    bombing = "A suicide bombing killed 40 Indian paramilitary troops."
    tourists = ["It killed 26 tourists."]
    assert answer_candidates("number", "How many soldiers were killed?", [bombing]) == ["40 Indian paramilitary troops"]
    assert answer_candidates("number", "How many Indian soldiers died?", [bombing]) == ["40 Indian paramilitary troops"]
    personnel = "How many Indian security personnel lost their lives?"  # "security" is part of the other name
    assert answer_candidates("number", personnel, [bombing]) == ["40 Indian paramilitary troops"]
    assert answer_candidates("number", "How many sightseers were killed?", tourists) == ["26 tourists"]
    assert answer_candidates("number", "How many visitors were killed?", [bombing]) == []
    assert answer_candidates("number", "How many troops were travelling in the convoy?", [bombing]) == []
    assert answer_candidates("number", "How many sightseers were injured?", tourists) == []
    assert answer_candidates("number", "How many tourists had the attack killed?", tourists) == ["26 tourists"]
    assert answer_candidates("number", "How many civilians were killed?", tourists) == []
    cases = "The ministry said it had recorded 349,691 new COVID cases in 24 hours."
    assert answer_candidates("number", "How many people tested positive?", [cases]) == ["349,691 new COVID cases"]
    assert answer_candidates("number", "How many people died?", [cases]) == []


def test_every_name_persons_are_counted_by_counts_persons() -> None:
    """Servicemen are soldiers, and persons: what happened to them is checked, and they are people."""
    servicemen = ["A bomb killed 30 servicemen."]
    assert answer_candidates("number", "How many soldiers were killed?", servicemen) == ["30 servicemen"]
    assert answer_candidates("number", "How many soldiers were injured?", servicemen) == []
    assert answer_candidates("number", "How many people died?", servicemen) == ["30 servicemen"]


def test_the_rest_of_a_name_the_question_holds_is_no_name() -> None:
    sentence = "Both are discussing the Stream Gas Pipeline Project with Gazprom Neft."
    question = "Which Russian company will build the Stream Gas Pipeline?"
    assert answer_candidates("name", question, [sentence]) == ["Gazprom Neft"]


def test_a_region_word_before_a_place_belongs_to_it() -> None:
    sentence = "Russia fears instability spilling over into central Asia, Moscow said."
    assert answer_candidates("name", "Into which region could it spill over?", [sentence]) == [
        "Russia",
        "central Asia",
        "Moscow",
    ]


def test_a_question_about_money_wants_a_sum_of_money() -> None:
    sentence = "The pipeline will carry 1.6 billion cubic feet a day and cost $2.5 billion, or Rs 400 crore."
    assert answer_candidates("number", "How much will the pipeline cost?", [sentence]) == [
        "$2.5 billion",
        "Rs 400 crore",
    ]
    assert answer_candidates("number", "How much gas will it carry?", [sentence]) == [
        "1.6 billion cubic feet",
        "$2.5 billion",
        "Rs 400 crore",
    ]
    assert answer_candidates("number", "What was the dollar value of the deal?", [sentence]) == [
        "$2.5 billion",
        "Rs 400 crore",
    ]


def test_the_ways_a_question_asks_for_a_sum_of_money() -> None:
    for question in (
        "How much will the pipeline cost?",
        "What is the price of a dose?",
        "What is the projected price tag of the pipeline?",
        "What was the dollar value of the trade?",
        "What was the monetary worth of the relief?",
        "What were the deals worth in dollars?",
    ):
        assert asks_for_money(question), question
    for question in ("How much gas will it carry?", "What does the FATF do against money laundering?"):
        assert not asks_for_money(question), question


def test_a_sentence_that_introduces_a_name_with_the_question_words() -> None:
    question = "What is the name of Pakistan's foreign secretary?"
    assert introduced_by_question_words("name", question, CALL)
    office = "According to the Foreign Office, the foreign secretary praised Prime Minister Imran Khan."
    assert not introduced_by_question_words("name", question, office)


def test_dates_in_their_written_forms_less_those_the_question_holds() -> None:
    sentence = (
        "Tensions eased since February when border commanders agreed to reinstitute a 2002 LOC cease-fire, "
        "after the actions of Aug. 5, 2019."
    )
    assert answer_candidates(
        "date", "Which year's cease-fire did they agree in February to reinstitute?", [sentence]
    ) == [
        "2002",
        "Aug. 5, 2019",
    ]
    assert answer_candidates("date", "When?", ["It happened on April 22 and again on May 1."]) == ["April 22", "May 1"]


def test_a_date_question_wants_a_calendar_date_a_day_question_a_day_and_a_year_question_a_year() -> None:
    sentence = "Pakistan responded on February 27, 2019, a Wednesday, after the strikes of that year and of 2016."
    assert answer_candidates("date", "On what date did Pakistan respond?", [sentence]) == ["February 27, 2019"]
    assert answer_candidates("date", "On what date?", ["In June 2019, and on 5 August, and on Aug. 5"]) == [
        "5 August",
        "Aug. 5",
    ]
    assert answer_candidates("date", "On which day did Pakistan respond?", [sentence]) == [
        "February 27, 2019",
        "Wednesday",
    ]
    assert answer_candidates("date", "In which year did Pakistan respond?", [sentence]) == ["February 27, 2019", "2016"]
    assert answer_candidates("date", "In which month did Pakistan respond?", [sentence]) == ["February 27, 2019"]
    assert answer_candidates("date", "When did Pakistan respond?", [sentence]) == [
        "February 27, 2019",
        "Wednesday",
        "2016",
    ]


def test_when_takes_a_time_said_relative_to_the_article_but_a_calendar_question_does_not() -> None:
    sentence = "Khan spoke last month, two years ago he met Bajwa, and the commission meets later this year, on Monday."
    assert answer_candidates("date", "When did Khan speak?", [sentence]) == [
        "last month",
        "two years ago",
        "later this year",
        "Monday",
    ]
    assert answer_candidates("date", "On which day does the commission meet?", [sentence]) == ["Monday"]
    assert answer_candidates("date", "In which year did Khan speak?", [sentence]) == []
    tweet = "The offer came on the same day Khan, in a tweet, prayed for Indians; talks resumed the following week."
    assert answer_candidates("date", "When did Khan tweet, relative to the offer?", [tweet]) == [
        "the same day",
        "the following week",
    ]


def test_a_name_ends_at_a_full_stop_but_not_at_an_initial() -> None:
    # found by the property test below: "A1. A" gave "A1 A", which the text does not hold
    assert answer_candidates("name", "Who?", ["It was A1. A new era."]) == ["A1"]
    assert answer_candidates("name", "Who?", ["He met Frederick S. Pierce and U.S. envoys."]) == [
        "Frederick S. Pierce",
        "U.S.",
    ]


def test_no_kind_no_candidates() -> None:
    assert answer_candidates(None, "Why?", [CALL]) == []


@given(
    st.lists(st.text(alphabet="AbcD 1,.9\u2019'-x", max_size=60), max_size=4),
    st.sampled_from(["name", "number", "date"]),
)
def test_every_candidate_is_written_in_a_sentence_and_adds_to_the_question(sentences: list[str], kind: str) -> None:
    question = "Which Dx 1 was Abc?"
    joined = " ".join(" ".join(s.split()) for s in sentences)
    for candidate in answer_candidates(kind, question, sentences):  # type: ignore[arg-type]
        assert candidate in joined
        assert candidate.strip() == candidate != ""


def test_how_much_of_a_thing_is_not_answered_by_a_count_of_something_else() -> None:
    troops = "A suicide bombing killed 40 Indian paramilitary troops and 26 tourists."
    assert answer_candidates("number", "How much medical oxygen did Pakistan send?", [troops]) == []
    assert answer_candidates("number", "How much was lost in the attack?", [troops]) == [
        "40 Indian paramilitary troops",
        "26 tourists",
    ]
    gas = "It will transport 1.6 billion cubic feet per day, 12 pumps and 3 gas turbines."
    # a measure answers; "3 gas turbines" counts turbines, not gas
    assert answer_candidates("number", "How much gas will it transport?", [gas]) == ["1.6 billion cubic feet"]


def test_what_a_figure_counts_is_its_last_word() -> None:
    troops = "A suicide bombing killed 40 Indian paramilitary troops over Kashmir."
    # "Indian" is a form of the question's "India", but the figure counts troops, not oxygen
    assert answer_candidates("number", "How much oxygen did India get?", [troops]) == []
    assert answer_candidates("number", "How many troops did it kill?", [troops]) == ["40 Indian paramilitary troops"]
    assert answer_candidates("number", "How many wars?", ["They fought three wars over Kashmir."]) == ["three wars"]


def test_how_long_wants_a_time_or_a_length_and_the_two_is_no_count() -> None:
    sentence = "It was the first visit in nine years; the pipeline carries 1.6 billion cubic feet over 1,100 km."
    assert answer_candidates("number", "How long is the pipeline?", [sentence]) == ["nine years", "1,100 km"]
    assert answer_candidates("number", "How far does the pipeline run?", [sentence]) == ["1,100 km"]
    assert answer_candidates("number", "How old is the pipeline?", [sentence]) == ["nine years"]
    assert answer_candidates("number", "How long is the pipeline in kilometres?", [sentence]) == ["1,100 km"]
    assert answer_candidates("number", "How long is it in miles?", [sentence]) == []
    drills = "Moscow will provide equipment, with the two holding joint military exercises, and 12 drills."
    assert answer_candidates("number", "How many exercises will they hold?", [drills]) == []
    assert answer_candidates("number", "How many drills?", [drills]) == ["12 drills"]


def test_a_share_is_a_percentage_or_a_fraction() -> None:
    doses = "Russia provided 50,000 doses; trade grew 46 percent, and half of the 12 plants are idle."
    asked = "What share of the population received 12 doses?"
    assert answer_candidates("number", asked, [doses]) == ["46 percent", "half"]
    assert answer_candidates("number", "By what percentage did trade grow?", [doses]) == ["46 percent", "half"]
    assert answer_candidates("number", "How many doses?", [doses]) == ["50,000 doses", "46 percent", "half"]


def test_how_old_takes_a_bare_age_and_a_hyphenated_word_does_not_end_a_count() -> None:
    letter = "In 1937, at age 81, he claimed in a letter to have completed a theory."
    assert answer_candidates("number", "How old was he when he wrote the letter?", [letter]) == ["81"]
    rings = "Next, the two plastid-dividing rings, or PD rings, form."
    assert answer_candidates("number", "How many rings are there?", [rings]) == ["two plastid-dividing rings"]


def test_how_long_and_how_old_take_a_length_of_time_said_without_a_figure() -> None:
    war = "Moscow seeks a peaceful end to decades of war; it was the first visit in nine years."
    assert answer_candidates("number", "How long has the war gone on?", [war]) == ["decades", "nine years"]
    accords = "They closed borders and revoked decades-old accords, signed more than a year ago."
    assert answer_candidates("number", "How old were the accords?", [accords]) == [
        "decades-old",
        "more than a year ago",
    ]
    assert answer_candidates("number", "How long is the Line of Control?", [accords]) == ["more than a year ago"]
    talks = "The offer comes amid months of backchannel talks; FATF has been on its tail for a very long time."
    assert answer_candidates("number", "How long have the talks gone on?", [talks]) == ["months", "a very long time"]
    # "two decades" is a figure already; and only a question about time takes a vague one
    assert answer_candidates("number", "How long did it last?", ["It lasted two decades."]) == ["two decades"]
    assert answer_candidates("number", "How many accords were revoked?", [accords]) == []


def test_how_many_takes_a_count_said_without_a_figure_of_what_it_asks_about() -> None:
    tweet = "Qureshi said the talks with two countries covered several issues."
    assert answer_candidates("number", "On how many issues do they agree?", [tweet]) == ["several issues"]
    assert answer_candidates("number", "How many countries took part in the talks?", [tweet]) == ["two countries"]
    visits = "A few officials came; a number of people protested."
    assert answer_candidates("number", "How many people protested?", [visits]) == ["a number of people"]
    assert answer_candidates("number", "How many officials came?", [visits]) == ["A few officials"]
    # only a question that counts takes one
    assert answer_candidates("number", "How long did the talks last?", [tweet]) == []


def test_an_exact_or_calendar_date_asks_for_a_date_not_a_relative_time() -> None:
    later = "The commission will meet later this year in Moscow, Qureshi said on Tuesday."
    assert answer_candidates("date", "When will the commission meet?", [later]) == ["later this year", "Tuesday"]
    assert answer_candidates("date", "On what exact date will the commission meet?", [later]) == []
    assert answer_candidates("date", "On what calendar date will the commission meet?", [later]) == []


def test_names_around_titles_acronyms_and_opening_quotes() -> None:
    # an acronym of the question's own name is no answer, dotted or not
    official = "The US official Paul Jones spoke with Qureshi."
    assert answer_candidates("name", "Which official of the United States spoke with Qureshi?", [official]) == [
        "Paul Jones"
    ]
    # "Mr." does not end the name after it
    hosted = "The talks were hosted by Mr. Qureshi in Islamabad."
    assert answer_candidates("name", "Who hosted the talks?", [hosted]) == ["Qureshi", "Islamabad"]
    # a sentence opens after a single quotation mark too: "While" is no name
    quoted = "'While reviewing the situation along the LoC, Pakistan agreed."
    assert answer_candidates("name", "Who agreed?", [quoted]) == ["LoC", "Pakistan"]
    # a country before a title is kept, as a city is; a nationality is not
    # a month, written out or cut short, is no name
    assert answer_candidates("name", "Who acted?", ["India acted on Aug. 5, 2019 in Delhi."]) == ["India", "Delhi"]
    envoy = "It was attended by Pakistan Ambassador Paul Jones."
    assert answer_candidates("name", "Which country's envoy attended?", [envoy]) == ["Pakistan", "Paul Jones"]


def test_an_office_and_the_role_after_it_say_who() -> None:
    quote = "Pakistan has never shied away from talks,'' a Foreign Office spokesperson said."
    assert answer_candidates("name", "Who said Pakistan never shied away from talks?", [quote]) == [
        "Foreign Office spokesperson"
    ]
    # a role before the person's name is a title: the name answers
    briefing = "State Department spokesperson Tammy Bruce told reporters the US is tracking developments."
    assert answer_candidates("name", "Who said the US is tracking developments?", [briefing]) == [
        "State Department",
        "Tammy Bruce",
    ]


def test_a_named_body_that_speaks_comes_before_the_name_that_owns_it() -> None:
    statement = "\u201cA common concern is Afghanistan,\u201d Russia\u2019s foreign ministry said in a statement."
    assert answer_candidates("name", "Whose statement said Afghanistan is a common concern?", [statement]) == [
        "Russia\u2019s foreign ministry",
        "Russia",
    ]
    # its owner the question's own word, the body is still offered
    assert answer_candidates("name", "Which Russian body said Afghanistan is a common concern?", [statement]) == [
        "Russia\u2019s foreign ministry"
    ]
    office = "Pakistan's Foreign Office said on Monday that talks would go on."
    assert answer_candidates("name", "Who said talks would go on?", [office]) == [
        "Pakistan's Foreign Office",
        "Pakistan",
    ]
    # only a body that says something: "Pakistan's foreign ministry" here is no speaker
    visit = "Lavrov visited Pakistan's foreign ministry on Wednesday."
    assert answer_candidates("name", "Who visited on Wednesday?", [visit]) == ["Lavrov", "Pakistan"]


def test_a_name_keeps_the_body_it_names_and_its_of_phrase() -> None:
    post = "Huguenots sailed to the Dutch East India Company post at the Cape of Good Hope."
    assert answer_candidates("name", "What trading company helped settle Huguenots near the Cape?", [post]) == [
        "Dutch East India Company",
        "Good Hope",  # "of" no longer opens a name once "Cape" (asked) is left out
    ]
    parliament = "The constitution can be amended by the Parliament of Victoria."
    assert answer_candidates("name", "What group can amend the Victorian constitution?", [parliament]) == [
        "Parliament of Victoria"
    ]
    vaccine = "The Prime Minister congratulated Russia on its development of Sputnik-V Vaccine."
    assert answer_candidates("name", "Which Russian vaccine was developed?", [vaccine]) == ["Sputnik-V"]


def test_lists_of_names_for_a_plural_question_and_ranges_of_dates() -> None:
    show = "It was created by William Hanna and Joseph Barbera for ABC."
    assert answer_candidates("name", "Who were its creators?", [show]) == [
        "William Hanna",
        "Joseph Barbera",
        "William Hanna and Joseph Barbera",
        "ABC",
    ]
    assert answer_candidates("name", "Who created it?", [show]) == ["William Hanna", "Joseph Barbera", "ABC"]
    leaders = "A partnership, as envisioned by Prime Minister Imran Khan and President Donald Trump, would help."
    assert answer_candidates("name", "Which two leaders envisioned it?", [leaders])[-1] == (
        "Imran Khan and President Donald Trump"
    )
    call = "Foreign Secretary Sohail Mahmood and U.S. Under Secretary David Hale met, as did Ali, Bilal and Chen."
    # "U.S." is followed by a capitalised word: it describes Hale, and no list ends there
    assert answer_candidates("name", "Who were there?", [call]) == [
        "Sohail Mahmood",
        "U.S.",
        "David Hale",
        "Ali",
        "Bilal",
        "Chen",
        "Ali, Bilal and Chen",
    ]
    talks = "He expects talks as early as Tuesday or Wednesday, and again between June and September."
    assert answer_candidates("date", "When will they talk?", [talks]) == [
        "Tuesday",
        "Wednesday",
        "Tuesday or Wednesday",
        "June",
        "September",
        "June and September",
    ]


def test_acronyms_of_names_written_with_the() -> None:
    assert acronyms("ISLAMABAD: The United States is intensifying efforts") == {"ISLAMABAD", "US"}
