"""The sentence-choice study: which sentence the model cites first for a free answer."""

from __future__ import annotations

import json
from pathlib import Path

from evals.replay import numbered_sentences
from evals.sentence_choice import Choice, choices, first_cited, summary
from qa.answer import ANSWER_SCHEMA, SYSTEM_PROMPT
from qa.config import Settings
from tests.conftest import BUY, index_with_fake_embedder
from tests.fakes import ScriptedGenerator

DESIRE = "What did Qureshi express a desire to eventually do with the vaccine?"


def test_the_first_cited_number_is_read_from_a_reply_cut_short() -> None:
    assert first_cited('{ "evidence": [ 3, 1], "answer": "manuf') == 3
    assert first_cited('{"evidence":[12') == 12
    assert first_cited('{"evidence": [') is None


def test_the_summary_counts_only_questions_where_the_choice_matters() -> None:
    found = [
        Choice("a", "q1", 4, (1,), 1),
        Choice("a", "q2", 4, (1, 3), 2),
        Choice("a", "q3", 4, (2,), 2),
        Choice("a", "q4", 4, (1, 2, 3, 4), 3),  # every sentence holds it: the choice does not matter
        Choice("a", "q5", 4, (), 1),  # none does
    ]
    lines = summary(found).splitlines()
    assert lines[0] == (
        "5 free-answer questions replayed; in 3 some but not all of the sentences hold an accepted answer. Of those, "
        "[1] holds one in 2, the sentence the model cites first in 2. The model passed over [1] in 2: [1] held an "
        "accepted answer in 1 of them, its choice in 1."
    )
    assert lines[4:] == ["| [1] | 2 | 1 |", "| [2] | 1 | 2 |"]


def test_each_recorded_free_answer_prompt_is_rebuilt_and_its_first_cited_sentence_read(
    corpus: Path, settings: Settings, tmp_path: Path
) -> None:
    index_with_fake_embedder(settings)
    asked = {"history": [], "draft": "manufacture it in Pakistan", "citations": [{"quote": BUY}], "abstain_reason": ""}
    records = [
        {**asked, "id": "t01", "question": DESIRE, "search_question": DESIRE, "gold_answers": ["manufacture it"]},
        {**asked, "id": "t02", "question": DESIRE, "search_question": DESIRE, "gold_answers": []},  # not asked
    ]
    run = tmp_path / "blind" / "records.json"
    run.parent.mkdir()
    run.write_text(json.dumps({"corpus": str(corpus), "records": records}), encoding="utf-8")
    model = ScriptedGenerator(lambda system, user: '{"evidence": [2], "answer": "x", "answerable": true}')
    found = choices([run], model, settings.index_dir, settings)
    assert len(model.calls) == 1
    system, user, schema = model.calls[0]
    assert (system, schema) == (SYSTEM_PROMPT, ANSWER_SCHEMA)
    sentences = numbered_sentences(user)
    holding = tuple(n for n, text in sentences.items() if "manufacture it" in text)
    assert holding and sentences[holding[0]] == BUY
    assert found == [Choice("blind", "t01", len(sentences), holding, 2)]
