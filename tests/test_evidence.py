from __future__ import annotations

import pytest

from qa.evidence import Evidence, coverage, expected_type, has_type, key_terms, missing_key_terms


@pytest.mark.parametrize(
    ("question", "kind"),
    [
        ("How many doses will Pakistan buy?", "number"),
        ("By what percentage did trade grow?", "number"),
        ("How long had it been since the last visit?", "number"),
        ("When did it happen?", "date"),
        ("Earlier question? And when did it happen?", "date"),
        ("On what date was the attack?", "date"),
        ("Which country was Khan visiting when he spoke?", None),
        ("Who is Pakistan's military chief?", "name"),
        ("What is the name of the foreign secretary?", "name"),
        ("Why is FATF pressuring Pakistan?", None),
    ],
)
def test_expected_type(question: str, kind: str | None) -> None:
    assert expected_type(question) == kind


def test_has_type() -> None:
    assert has_type("nine years", "number", "How long?")
    assert has_type("5 million doses", "number", "How many?")
    assert not has_type("at his earliest convenience", "date", "When?")
    assert has_type("on Aug. 5, 2019", "date", "When?")
    assert has_type("General Qamar Javed Bajwa", "name", "Who is Pakistan's military chief?")
    assert not has_type("The objectives of FATF are to set standards", "name", "Who is the president of FATF?")
    assert has_type("anything", None, "Why?")


def test_key_terms_are_names_after_the_first_word_and_numbers() -> None:
    assert key_terms("Who won the 2022 FIFA World Cup?") == {"2022", "fifa", "world", "cup"}
    assert key_terms("Which vaccine did Pakistan's Prime Minister buy?") == {"pakistan", "prime", "minister"}
    assert key_terms("Who met Lavrov? And when did Qureshi meet him?") == {"lavrov", "qureshi"}


def test_missing_key_terms_and_coverage() -> None:
    evidence = [Evidence(1, "a.txt", "Russia has provided 50,000 doses of its Sputnik-V vaccine.", 0, 58, 1.0)]
    assert missing_key_terms("How many Pfizer doses has Russia provided?", evidence) == {"pfizer"}
    assert coverage("How many Sputnik-V doses has Russia provided?", evidence) == 1.0
    assert coverage("How many Pfizer doses has Russia provided?", evidence) == pytest.approx(
        3 / 4
    )  # provid, dose, russia of pfizer, dose, russia, provid
