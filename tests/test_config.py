"""Settings from defaults, QA_<FIELD> variables and overrides."""

from __future__ import annotations

import pytest

from qa.answer import parse_verdict
from qa.config import Settings


def test_variables_are_read_with_the_field_types_and_overrides_win() -> None:
    settings = Settings.from_env({"QA_EVIDENCE_SENTENCES": "3", "QA_MIN_COVERAGE": "0.4", "QA_VERIFY_ANSWERS": "yes"})
    assert (settings.evidence_sentences, settings.min_coverage, settings.verify_answers) == (3, 0.4, True)
    assert Settings.from_env({"QA_VERIFY_ANSWERS": "0"}).verify_answers is False
    assert Settings.from_env({"QA_VERIFY_ANSWERS": "on"}, verify_answers=False).verify_answers is False
    assert Settings.from_env({}).verify_answers is True
    assert (Settings().verify_threshold, Settings.from_env({"QA_VERIFY_THRESHOLD": "0.7"}).verify_threshold) == (
        0.5,
        0.7,
    )


@pytest.mark.parametrize(
    ("variables", "message"),
    [
        ({"QA_VERIFY_ANSWERS": "maybe"}, "QA_VERIFY_ANSWERS must be true or false. Currently, it is 'maybe'"),
        ({"QA_EVIDENCE_SENTENCES": "four"}, "QA_EVIDENCE_SENTENCES must be an int. Currently, it is 'four'"),
        ({"QA_VERIFY_THRESHOLD": "1.5"}, "verify_threshold must be in [0, 1]. Currently, it is 1.5"),
        ({"QA_RIVAL_THRESHOLD": "-0.1"}, "rival_threshold must be in [0, 1]. Currently, it is -0.1"),
        ({"QA_RIVAL_MARGIN": "2"}, "rival_margin must be in [0, 1]. Currently, it is 2.0"),
        ({"QA_FIRST_MARGIN": "1.01"}, "first_margin must be in [0, 1]. Currently, it is 1.01"),
    ],
)
def test_a_bad_variable_is_a_clear_error(variables: dict[str, str], message: str) -> None:
    with pytest.raises(ValueError) as error:
        Settings.from_env(variables)
    assert str(error.value) == message


def test_only_a_plain_no_from_the_second_look_overrules_an_answer() -> None:
    assert parse_verdict('{"supported": false}') is False
    assert parse_verdict('{"supported": true}') is True
    assert parse_verdict("not json") is True
    assert parse_verdict('["supported"]') is True
