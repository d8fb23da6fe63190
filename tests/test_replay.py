from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from evals.replay import REFUSED, RecordedModel, diff, replay, replay_runs, unrecorded
from qa.answer import SYSTEM_PROMPT
from qa.config import Settings
from tests.conftest import BUY, VACCINE, index_with_fake_embedder


@pytest.fixture
def settings(corpus: Path, settings: Settings) -> Settings:
    index_with_fake_embedder(settings)
    return settings


def record(**changes: Any) -> dict[str, Any]:
    """A recorded question as ``qa eval`` writes it: the model drafted "5 million doses" from BUY."""
    base = {
        "id": "t01",
        "question": VACCINE,
        "history": [],
        "search_question": VACCINE,
        "draft": "5 million doses",
        "citations": [{"quote": BUY}],
        "abstain_reason": "",
    }
    return {**base, **changes}


def test_a_recorded_draft_is_checked_and_cited_by_this_code(settings: Settings) -> None:
    replayed = replay(record(), settings.index_dir, settings)
    assert replayed["text"] == "5 million doses [1]"
    assert replayed["abstained"] is False
    assert len(replayed["prompt"]) == 16


def test_a_draft_the_second_look_refused_is_refused_again(settings: Settings) -> None:
    refused = record(abstain_reason=f"{REFUSED}, found that the cited sentences do not state this answer")
    replayed = replay(refused, settings.index_dir, settings)
    assert replayed["abstained"] is True
    assert replayed["reason"].startswith(REFUSED)


def test_a_record_without_a_draft_abstains_on_the_same_prompt(settings: Settings) -> None:
    drafted, empty = (replay(r, settings.index_dir, settings) for r in (record(), record(draft="", citations=[])))
    assert empty["abstained"] is True and empty["reason"] == "the model found no sentence that answers the question"
    assert empty["prompt"] == drafted["prompt"]  # the prompt is the code's, not the record's


def test_a_follow_up_is_searched_with_its_recorded_rewrite(settings: Settings) -> None:
    follow_up = record(question="How many will it buy?", history=["Which vaccine is Pakistan buying?"])
    assert replay(follow_up, settings.index_dir, settings) == replay(record(), settings.index_dir, settings)


def test_a_recorded_quote_is_found_in_a_sentence_shown_with_a_name() -> None:
    """The prompt shows "the foreign secretary (Sohail Mahmood) met ..." (``qa.naming``); the record
    quotes the file."""
    met = "Also on Tuesday, the foreign secretary met outgoing Afghan ambassador Atif Mashal."
    prompt = (
        "Sentences:\n[1] Russia hosted an international conference on Afghanistan in Moscow last month.\n"
        "[2] Also on Tuesday, the foreign secretary (Sohail Mahmood) met outgoing Afghan ambassador Atif Mashal."
        "\n\nQuestion: Which Pakistani official met Atif Mashal?"
    )
    model = RecordedModel(record(draft="Sohail Mahmood", citations=[{"quote": met}]))
    reply = json.loads("".join(model.stream(SYSTEM_PROMPT, prompt, schema=None, max_tokens=64)))
    assert reply == {"evidence": [2], "answer": "Sohail Mahmood", "answerable": True}


def test_diff_separates_changed_prompts_from_outcomes_changed_by_the_code_alone() -> None:
    answered = {"prompt": "a", "text": "5 million doses [1]", "abstained": False, "reason": ""}
    old = {"q1": answered, "q2": answered, "q3": answered, "q4": answered}
    new = {
        "q1": answered,
        "q2": {**answered, "prompt": "b"},
        "q3": {**answered, "text": "The articles don't say.", "abstained": True, "reason": "no"},
        "q5": answered,
    }
    assert diff(old, new) == (["q2"], ["q3"])


def test_runs_whose_questions_share_ids_are_all_replayed(settings: Settings, tmp_path: Path) -> None:
    """blind11 and blind12 both number their questions t01 ... t56."""
    paths = []
    for run, draft in (("blind11", "5 million doses"), ("blind12", "")):
        records = {"corpus": str(settings.corpus_dir), "records": [record(draft=draft)]}
        (tmp_path / run).mkdir()
        paths.append(tmp_path / run / "records.json")
        paths[-1].write_text(json.dumps(records), encoding="utf-8")
    replayed = replay_runs(paths, settings.index_dir, settings)
    assert sorted(replayed) == ["blind11/t01", "blind12/t01"]
    assert [replayed[k]["abstained"] for k in sorted(replayed)] == [False, True]


def test_gold_questions_replay_as_unrecorded_questions_keyed_by_file(settings: Settings, tmp_path: Path) -> None:
    """Without a run's records, a gold question is searched as written (a follow-up too) and gets no
    draft: the same answer prompt as a recorded question that got none."""
    lines = [
        {"id": "t01", "question": VACCINE, "answers": ["5 million"], "sources": ["buy.txt"]},
        {"id": "t02", "question": "How many?", "answers": [], "sources": [], "history": ["Which vaccine?"]},
    ]
    path = tmp_path / "blind11.jsonl"
    path.write_text("\n".join(json.dumps(line) for line in lines), encoding="utf-8")
    keyed = dict(unrecorded([path]))
    assert list(keyed) == ["blind11/t01", "blind11/t02"]
    assert keyed["blind11/t02"] == {
        "id": "t02",
        "question": "How many?",
        "history": ["Which vaccine?"],
        "search_question": "How many?",
    }
    empty = replay(record(draft="", citations=[]), settings.index_dir, settings)
    assert replay(keyed["blind11/t01"], settings.index_dir, settings) == empty
