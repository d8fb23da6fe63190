from __future__ import annotations

from qa.attribution import (
    asked_speakers,
    asked_topic,
    contradicts_speaker,
    misses_topic,
    same_party,
    speakers,
    speakers_in_context,
)

ARTICLE = (
    "Foreign Secretary Sohail Mahmood held a call with U.S. Under Secretary for Political Affairs David Hale.\n"
    "The foreign secretary highlighted the lockdown in the valley. He also stressed the need for talks.\n"
    "Hale said Washington wanted calm. \u201cWe are watching closely,\u201d said State Department spokesperson "
    "Tammy Bruce.\n"
    "Lavrov said Russia would help. \u201cWe feel the talks may go on.\u201d\n"
    "Both sides said trade would grow."
)


def test_the_speaker_a_question_names() -> None:
    assert asked_speakers("What did David Hale say about the valley?") == ["David Hale"]
    assert asked_speakers("How did the foreign secretary describe the lockdown?") == ["the foreign secretary"]
    assert asked_speakers("What is the plan, according to Bruce?") == ["Bruce"]
    # a pronoun, a document, or words that are no name ("pray for in his tweet") name no speaker
    assert asked_speakers("What did he say about trade?") == []
    assert asked_speakers("What is the plan, according to the VOA report?") == []
    assert asked_speakers("What did Imran Khan pray for in his tweet?") == []
    assert asked_speakers("Which city hosted the talks?") == []


def test_lower_case_words_that_say_which_role_are_part_of_the_speaker() -> None:
    ministry = "What did India's external affairs ministry say about the offer?"
    assert asked_speakers(ministry) == ["India's external affairs ministry"]
    officials = "What did Pakistani health officials say about oxygen?"
    assert asked_speakers(officials) == ["Pakistani health officials"]
    assert asked_speakers("What did Sri Lanka's leaders say about the visit?") == ["Sri Lanka's leaders"]
    # words that point at a party named elsewhere, or come after the role, make no speaker of it
    assert asked_speakers("What did his office say about the attack?") == []
    assert asked_speakers("What rule did the Foreign Office spokesperson invoke to argue that?") == []
    # a ministry that names no one speaking and is never mentioned did not say it
    rejected = "The prime minister rejected any attempt to link Pakistan with the incident."
    assert contradicts_speaker(ministry, [rejected], ARTICLE) == "India's external affairs ministry"
    announced = "The Indian health ministry on Sunday recorded 349,691 new cases."
    assert contradicts_speaker("What did India's health ministry announce on Sunday?", [announced], ARTICLE) is None


def test_the_speakers_a_sentence_names() -> None:
    assert speakers("The foreign secretary highlighted the lockdown in the valley.") == ["The foreign secretary"]
    assert speakers("\u201cWe are watching closely,\u201d said State Department spokesperson Tammy Bruce.") == [
        "State Department spokesperson Tammy Bruce"
    ]
    assert speakers("Guterres, who also spoke with Jaishankar, offered help.") == ["Guterres"]
    assert speakers("He also stressed the need for talks.") == ["He"]
    sources = "Meanwhile, highly placed sources in Islamabad have confirmed the talks."
    assert speakers(sources) == ["sources in Islamabad"]
    assert speakers("The talks began on Sunday.") == []  # no one speaks; "Sunday" is no speaker
    # a full stop is no part of the word that ends the sentence
    assert speakers("\u201cWe must fight this together,\u201d Khan said.") == ["Khan"]
    assert speakers("\u201cWe need a break,\u201d said the official.") == ["the official"]
    assert speakers("The U.S. envoy said talks would go on.") == ["The U.S. envoy"]


def test_a_quote_or_a_pronoun_takes_the_speaker_named_just_before() -> None:
    assert speakers_in_context("\u201cWe feel the talks may go on.\u201d", ARTICLE) == ["Lavrov"]
    assert speakers_in_context("He also stressed the need for talks.", ARTICLE) == ["The foreign secretary"]
    # a group keeps its own words; a sentence in which no one speaks borrows no speaker
    assert speakers_in_context("Both sides said trade would grow.", ARTICLE) == ["Both sides"]
    assert speakers_in_context("Hale held a call.", "Lavrov said Russia would help. Hale held a call.") == []


def test_titles_the_article_writes_tie_a_role_to_a_name() -> None:
    assert same_party("Sohail Mahmood", "The foreign secretary", ARTICLE)
    assert same_party("the foreign secretary", "Mahmood", ARTICLE)
    assert same_party("Pakistan", "Pakistan's foreign ministry", ARTICLE)
    assert not same_party("David Hale", "The foreign secretary", ARTICLE)  # "Under Secretary" is another office
    assert same_party("Lavrov", "the Russian FM", "Russian Foreign Minister Sergey Lavrov arrived.")


def test_an_answer_someone_else_said_is_caught() -> None:
    lockdown = "The foreign secretary highlighted the lockdown in the valley."
    assert contradicts_speaker("What did David Hale say about the valley?", [lockdown], ARTICLE) == "David Hale"
    assert contradicts_speaker("What did Mahmood say about the valley?", [lockdown], ARTICLE) is None
    quote = "\u201cWe feel the talks may go on.\u201d"
    assert contradicts_speaker("What did Imran Khan say about the talks?", [quote], ARTICLE) == "Imran Khan"
    assert contradicts_speaker("What did Lavrov say about the talks?", [quote], ARTICLE) is None
    # no one named as speaking, or only "both sides": nothing to hold against the answer
    grow = "Both sides said trade would grow."
    assert contradicts_speaker("What did David Hale say about trade?", [grow], ARTICLE) is None
    # one cited sentence in the asked speaker's words is enough
    calm = "Hale said Washington wanted calm."
    assert contradicts_speaker("What did David Hale say about the valley?", [lockdown, calm], ARTICLE) is None
    # "according to" names a speaker too
    watching = "\u201cWe are watching closely,\u201d said State Department spokesperson Tammy Bruce."
    assert contradicts_speaker("What is the U.S. doing, according to Bruce?", [watching], ARTICLE) is None


def test_a_sentence_that_never_mentions_the_role_asked_about_is_not_its_words() -> None:
    """No one speaks in the sentence, and it never mentions the army: it is not what the army said."""
    rejected = "The prime minister rejected any attempt to link Pakistan with the incident."
    army = "What did Pakistan's army say after the attack?"
    assert contradicts_speaker(army, [rejected], ARTICLE) == "Pakistan's army"
    assert contradicts_speaker("What did the prime minister say after the attack?", [rejected], ARTICLE) is None
    # the role, or the name the article writes after it as a title, mentions who holds it
    met = "Also on Tuesday, the foreign secretary met the Afghan ambassador."
    assert contradicts_speaker("What did the foreign secretary say to the ambassador?", [met], ARTICLE) is None
    named = "On Tuesday, Sohail Mahmood met the Afghan ambassador."
    assert contradicts_speaker("What did the foreign secretary say to the ambassador?", [named], ARTICLE) is None
    # a name that speaks nowhere may be the article's own ("How does VOA describe ...?"): not held against it
    assert contradicts_speaker("How does VOA describe Modi's government?", [rejected], ARTICLE) is None


def test_only_capitalised_words_next_to_a_name_are_its_titles() -> None:
    # the words after "Lavrov" are no titles of his ("Lavrov arrived in Moscow"), nor is the word that
    # ends the sentence before his name ("... talks in Moscow. Lavrov said ..."): Qureshi's words in
    # Moscow are not Lavrov's
    article = (
        "Russian Foreign Minister Sergey Lavrov arrived in Islamabad. Qureshi held talks in Moscow. "
        "Lavrov said trade grew.\nQureshi said he briefed Moscow on Kashmir."
    )
    assert not same_party("Lavrov", "Moscow", article)
    assert same_party("Lavrov", "the Russian foreign minister", article)
    briefed = "Qureshi said he briefed Moscow on Kashmir."
    assert contradicts_speaker("How did Lavrov respond to the briefing on Kashmir?", [briefed], article) == "Lavrov"


def test_the_topic_a_speaker_is_asked_about() -> None:
    assert asked_topic("What did Qureshi say about the May 1 deadline?") == "the May 1 deadline"
    assert asked_topic("What did sources tell VOA about the peace talks?") == "the peace talks"
    assert asked_topic("How did India answer Pakistan's offer of talks?") == ""  # no "about"
    # "brought about" says what caused something; "about" before the verb is not what was said
    assert asked_topic("What do the articles say brought about the ceasefire?") == ""
    assert asked_topic("In his tweet about the virus, what did Imran Khan say?") == ""
    assert asked_topic("Who wrote the article about Lavrov's talks?") == ""


def test_a_sentence_on_another_topic_is_not_what_was_said_about_it() -> None:
    question = "What did Qureshi say about the May 1 deadline?"
    other = "Qureshi further said Moscow acknowledged Islamabad's successful campaign against terrorism."
    on_topic = "Qureshi said the deadline would be hard to meet."
    assert misses_topic(question, [other]) == "the May 1 deadline"
    assert misses_topic(question, [other, on_topic]) == ""
    assert misses_topic("What did he say about it?", [other]) == ""  # a topic with no content word is not judged
    assert misses_topic("What did Qureshi say?", [other]) == ""


def test_answer_is_a_speaking_verb_in_a_question() -> None:
    assert asked_speakers("How did India answer Pakistan's offer of talks?") == ["India"]
