"""The second look's sureness study: kinds of draft, AUC and the thresholds table."""

from __future__ import annotations

import json
from pathlib import Path

from evals.second_look import Look, auc, draft_kind, looks, summary
from qa.answer import VERIFY_PROMPT
from qa.config import Settings
from tests.conftest import BUY, VACCINE, index_with_fake_embedder
from tests.fakes import SureGenerator


def test_a_draft_is_right_wrong_or_to_an_unanswerable_question() -> None:
    assert draft_kind({"gold_answers": ["5 million"], "draft": "5 million doses"}) == "right"
    assert draft_kind({"gold_answers": ["5 million"], "draft": "50,000 doses"}) == "wrong"
    assert draft_kind({"gold_answers": ["5 million"], "draft": None}) == "wrong"
    assert draft_kind({"gold_answers": [], "draft": "Argentina"}) == "unanswerable"


def test_auc_is_the_share_of_pairs_ordered_right_with_ties_counted_half() -> None:
    assert auc([0.9, 0.6], [0.2, 0.6]) == (2 + 1.5) / 4
    assert auc([0.1], [0.9]) == 0.0


def test_the_table_counts_the_drafts_each_threshold_keeps() -> None:
    found = [Look("a", "q1", "right", 0.9), Look("a", "q2", "right", 0.52), Look("a", "q3", "wrong", 0.41)]
    found += [Look("b", "q4", "unanswerable", 0.2)]
    text = summary(found)
    assert text.startswith("4 drafts checked: 2 right, 1 wrong, 1 unanswerable. AUC right vs the rest 1.000,")
    assert "| 0.40 | 2 of 2 | 1 of 1 | 0 of 1 |" in text.splitlines()
    assert "| 0.55 | 1 of 2 | 0 of 1 | 0 of 1 |" in text.splitlines()


def test_each_recorded_draft_is_judged_on_the_second_look_prompt_this_code_builds(
    corpus: Path, settings: Settings, tmp_path: Path
) -> None:
    index_with_fake_embedder(settings)
    drafted = {"question": VACCINE, "history": [], "search_question": VACCINE, "draft": "5 million doses"}
    drafted |= {"citations": [{"quote": BUY}], "abstain_reason": ""}
    records = [{**drafted, "id": "t01", "gold_answers": ["5 million"]}, {**drafted, "id": "t02", "gold_answers": ["9"]}]
    run = tmp_path / "blind" / "records.json"
    run.parent.mkdir()
    run.write_text(json.dumps({"corpus": str(corpus), "records": records}), encoding="utf-8")
    judge = SureGenerator(lambda system, user: "", sureness=0.7)
    assert looks([run], judge, settings.index_dir, settings) == [
        Look("blind", "t01", "right", 0.7),
        Look("blind", "t02", "wrong", 0.7),
    ]
    check = f'Sentences:\n"{BUY}"\n\nQuestion: {VACCINE}\nProposed answer: 5 million doses'
    assert judge.judged == [(VERIFY_PROMPT, check, "supported")] * 2
