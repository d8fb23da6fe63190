"""The evaluation's pieces, offline and fast: judging, datasets, metrics, the gate, the report, and
``qa eval`` end to end with the fake embedder and the extractive answerer."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from evals.compare import with_history
from evals.datasets import Dataset, load_dataset, sample_questions
from evals.gate import Check, baseline_entry, compare, load_baseline, save_profile
from evals.gold import GoldQuestion, citation_support, holds, judge, load_questions, normalize
from evals.metrics import Record, answer_metrics, counts, gold_rank, latency_metrics, retrieval_metrics
from evals.report import Run, write_report
from evals.run import evaluate_answers, history_of
from qa.answer import REWRITE_PROMPT
from qa.cli import main
from qa.config import Settings
from qa.types import Answer, Citation, Hit, Timings, Turn
from tests.conftest import SEEDS, index_with_fake_embedder
from tests.fakes import ScriptedGenerator, json_reply, numbered_sentences

RUSSIA = "004_07e1443d25d1940b.txt"

VACCINE_FILE = "004_07e1443d25d1940b.txt"
PROVIDED = (
    "\u201cWe have provided 50,000 doses of anti Covid vaccine to Pakistan and intend to provide 150,000 more,\u201d"
)
BUY = "Qureshi said Islamabad will also buy 5 million doses of the vaccine"


def citation(marker: int, quote: str, source: str = VACCINE_FILE) -> Citation:
    start = (SEEDS / source).read_text(encoding="utf-8").index(quote)
    return Citation(marker, source, quote, start, start + len(quote))


def answer(text: str, citations: tuple[Citation, ...] = (), abstained: bool = False) -> Answer:
    return Answer("q", text, citations, abstained, (), Timings())


def gold(
    answers: tuple[str, ...] = ("50,000",), sources: tuple[str, ...] = (VACCINE_FILE,), qid: str = "q1"
) -> GoldQuestion:
    return GoldQuestion(qid, "number" if answers else "unanswerable", "How many doses?", answers, sources)


def hit(source: str, text: str = "It provided 50,000 doses.") -> Hit:
    return Hit("id", source, text, 0, len(text), 1.0)


# judging


def test_normalize_drops_case_accents_punctuation_and_articles() -> None:
    assert (
        normalize("The U.S. envoy, Ant\u00f3nio Guterres\u2019s \u201cstatement\u201d!")
        == "u s envoy antonio guterres s statement"
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("26 tourists were killed", ["26"]),
        ("260 tourists were killed", []),
        ("trade grew by 46 percent", ["46%"]),
        ("Ant\u00f3nio Guterres spoke", ["Antonio Guterres"]),
        ("an X-ray machine", ["X-ray"]),
    ],
)
def test_holds_matches_whole_words_after_normalizing(text: str, expected: list[str]) -> None:
    assert holds(text, ["26", "46%", "Antonio Guterres", "X-ray"]) == expected


@given(st.text(min_size=1))
def test_normalize_is_idempotent(text: str) -> None:
    assert normalize(normalize(text)) == normalize(text)


def test_a_correct_cited_answer_passes_with_full_citation_recall_and_precision() -> None:
    verdict = judge(gold(), answer("Russia provided 50,000 doses. [1]", (citation(1, PROVIDED),)), SEEDS)
    assert verdict.passed and verdict.correct and verdict.cited_right_file and verdict.markers_valid
    assert (verdict.supported, verdict.relevant_citations, verdict.citations) == (True, 1, 1)
    assert verdict.reasons == ()


def test_a_citation_that_does_not_hold_the_answer_is_not_relevant() -> None:
    cites = (citation(1, PROVIDED), citation(2, BUY))
    verdict = judge(gold(), answer("50,000 doses. [1][2]", cites), SEEDS)
    assert (verdict.supported, verdict.relevant_citations, verdict.citations) == (True, 1, 2)


def test_citations_needed_together_are_both_relevant() -> None:
    claims = ["provide 150,000 more Qureshi said"]  # spans the end of one quote and the start of the next
    assert citation_support(claims, [citation(1, PROVIDED), citation(2, BUY)]) == (True, 2)
    assert citation_support(claims, [citation(1, PROVIDED)]) == (False, 0)
    assert citation_support(claims, []) == (False, 0)


def test_a_quote_off_its_offsets_and_a_stray_marker_make_markers_invalid() -> None:
    good = citation(1, PROVIDED)
    moved = Citation(1, good.source, good.quote, good.start + 1, good.end + 1)
    assert judge(gold(), answer("50,000 [1]", (moved,)), SEEDS).reasons == ("invalid marker or quote",)
    stray = judge(gold(), answer("50,000 [1][2]", (good,)), SEEDS)
    assert not stray.markers_valid and not stray.passed


def test_wrong_file_wrong_answer_refusal_and_answered_unanswerable_are_failures_with_reasons() -> None:
    other = judge(gold(sources=("000_bb0f77902b53b706.txt",)), answer("50,000 [1]", (citation(1, PROVIDED),)), SEEDS)
    assert other.reasons == ("cited a file outside the gold sources",) and not other.passed
    wrong = judge(gold(), answer("150,000 [1]", (citation(1, PROVIDED),)), SEEDS)
    assert wrong.reasons == ("no accepted answer in the text",) and wrong.supported is None
    refused = judge(gold(), answer("The articles don't say.", abstained=True), SEEDS)
    assert refused.reasons == ("refused an answerable question",) and refused.abstained
    answered = judge(gold(answers=(), sources=()), answer("50,000 [1]", (citation(1, PROVIDED),)), SEEDS)
    assert answered.reasons == ("answered an unanswerable question",) and not answered.correct
    abstained = judge(gold(answers=(), sources=()), answer("The articles don't say.", abstained=True), SEEDS)
    assert abstained.passed


# datasets


def write_jsonl(path: Path, rows: list[dict[str, object]]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def row(qid: str, question: str, answers: list[str], sources: list[str], **extra: object) -> dict[str, object]:
    return {"id": qid, "kind": "fact", "question": question, "answers": answers, "sources": sources, **extra}


def test_a_malformed_gold_line_is_an_error_naming_the_line(tmp_path: Path) -> None:
    path = tmp_path / "q.jsonl"
    path.write_text(json.dumps(row("a", "Q?", [], [])) + "\n\n{not json\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"q\.jsonl:3: not a gold question \(JSONDecodeError"):
        load_questions(path)
    write_jsonl(path, [{"id": "a", "question": "Q?"}])
    with pytest.raises(ValueError, match=r"q\.jsonl:1: .*KeyError: 'answers'"):
        load_questions(path)
    write_jsonl(path, [row("a", "Q?", [], []), row("a", "R?", [], [])])
    with pytest.raises(ValueError, match=r"repeats ids: \['a'\]"):
        load_questions(path)
    with pytest.raises(ValueError, match="does not exist"):
        load_questions(tmp_path / "none.jsonl")


def test_questions_citing_files_missing_from_the_corpus_are_an_error(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "q.jsonl", [row("a", "Q?", ["x"], ["nowhere.txt"])])
    with pytest.raises(ValueError, match=r"the questions cite files that .* does not hold: nowhere\.txt"):
        load_dataset(path, SEEDS)


def test_the_default_dataset_is_the_seeds_gold_set() -> None:
    dataset = load_dataset()
    assert dataset.name == "seeds" and dataset.corpus == SEEDS
    assert len(dataset.questions) == len(load_questions())


def test_a_sample_is_seeded_and_keeps_file_order() -> None:
    questions = load_questions()
    first = sample_questions(questions, 12, 1)
    assert first == sample_questions(questions, 12, 1)
    assert len(first) == 12 and first != sample_questions(questions, 12, 2)
    assert [questions.index(q) for q in first] == sorted(questions.index(q) for q in first)
    assert load_dataset(sample=12, seed=1).name == "seeds-sample12-seed1"
    with pytest.raises(ValueError, match=r"sample must be greater than 0\. Currently, sample is 0"):
        sample_questions(questions, 0, 1)


def test_a_squad_file_becomes_answerable_questions_over_its_docs_folder(tmp_path: Path) -> None:
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "Rivers.txt").write_text("The Nile is long.\n\nThe Amazon is wide.\n", encoding="utf-8")
    squad = {
        "data": [
            {
                "title": "Rivers",
                "paragraphs": [
                    {
                        "context": "The Nile is long.",
                        "qas": [{"id": "s1", "question": "Which river is long?", "answers": [{"text": "Nile"}]}],
                    }
                ],
            }
        ]
    }
    path = tmp_path / "dev.json"
    path.write_text(json.dumps(squad), encoding="utf-8")
    dataset = load_dataset(path)
    assert dataset.name == "squad-dev" and dataset.corpus == tmp_path / "docs"
    assert dataset.questions == (GoldQuestion("s1", "squad", "Which river is long?", ("Nile",), ("Rivers.txt",)),)
    path.write_text('{"data": [{"title": "Rivers", "paragraphs": [{"qas": [{"id": "s1"}]}]}]}', encoding="utf-8")
    with pytest.raises(ValueError, match=r"is not a SQuAD-format file \(KeyError: 'question'\)"):
        load_dataset(path)
    path.write_text('{"data": [{"title": "Rivers", "paragraphs": []}]}', encoding="utf-8")
    with pytest.raises(ValueError, match="holds no questions"):
        load_dataset(path)


# metrics


def record(q: GoldQuestion, hits: list[Hit], total: float = 1.0, text: str | None = None) -> Record:
    rank = gold_rank(hits, q)
    if text is None:
        return Record(q, q.question, tuple(hits), rank, Timings(retrieval=total, total=total))
    a = answer(text, (citation(1, PROVIDED),) if "[1]" in text else (), abstained=text.startswith("The articles"))
    return Record(q, q.question, tuple(hits), rank, Timings(retrieval=0.1, total=total), a, judge(q, a, SEEDS))


def test_gold_rank_is_the_first_chunk_from_a_gold_file_holding_an_accepted_answer() -> None:
    q = gold()
    hits = [hit("000.txt"), hit(VACCINE_FILE, "no figure"), hit(VACCINE_FILE, "150,000 doses"), hit(VACCINE_FILE)]
    assert gold_rank(hits, q) == 4
    assert gold_rank(hits[:3], q) is None


def test_retrieval_metrics_count_answerable_questions_only() -> None:
    records = [
        record(gold(qid="a"), [hit(VACCINE_FILE)]),
        record(gold(qid="b"), [hit("x.txt"), hit(VACCINE_FILE)]),
        record(gold(qid="c"), [hit("x.txt")] * 6 + [hit(VACCINE_FILE)]),  # rank 7: beyond K
        record(gold(qid="d"), [hit("x.txt")]),
        record(gold((), (), qid="e"), [hit(VACCINE_FILE)]),  # unanswerable: not counted
    ]
    assert retrieval_metrics(records) == {"hit@1": 0.25, "hit@5": 0.5, "mrr@5": (1 + 1 / 2) / 4}
    assert [r.passed for r in records] == [True, True, True, False, True]
    assert records[3].reasons == ("no chunk among the 1 retrieved is from a gold file and holds an answer",)


def test_answer_metrics_from_judged_records() -> None:
    right = [hit(VACCINE_FILE)]
    records = [
        record(gold(qid="a"), right, text="50,000 doses [1]"),
        record(gold(qid="b"), right, text="150,000 doses [1]"),
        record(gold(qid="c"), right, text="The articles don't say."),
        record(gold((), (), qid="d"), right, text="The articles don't say."),
        record(gold((), (), qid="e"), right, text="50,000 [1]"),
    ]
    assert answer_metrics(records) == {
        "answer_accuracy": 1 / 3,
        "correct_and_cited": 1 / 3,
        "citation_accuracy": 2 / 3,
        "citation_validity": 1.0,
        "citation_recall": 1.0,
        "citation_precision": 1.0,
        "abstention_rate": 0.5,
        "false_refusal_rate": 1 / 3,
    }
    assert counts(records) == {"questions": 5, "answerable": 3, "unanswerable": 2, "passed": 2, "citation_judged": 1}


def test_latency_is_median_and_p95_over_the_questions_where_a_stage_ran() -> None:
    records = [record(gold(qid=str(i)), [], total=float(i)) for i in range(1, 21)]
    figures = latency_metrics(records)
    assert figures["latency_total_median_s"] == 10.5
    assert figures["latency_total_p95_s"] == pytest.approx(19.05)
    assert "latency_prompt_median_s" not in figures  # never ran


# the gate


@pytest.mark.parametrize(
    ("better", "current", "ok"),
    [("higher", 0.87, True), ("higher", 0.86, False), ("lower", 0.13, True), ("lower", 0.14, False)],
)
def test_a_rate_may_move_the_worse_way_by_its_tolerance(better: str, current: float, ok: bool) -> None:
    baseline = 0.9 if better == "higher" else 0.1
    check = Check("m", baseline, current, better, 0.03, False)  # type: ignore[arg-type]
    assert check.ok is ok


def test_a_latency_may_double_plus_slack_and_an_unmeasured_metric_fails() -> None:
    assert Check("t", 1.0, 2.05, "lower", 1.0, True).ok
    assert not Check("t", 1.0, 2.06, "lower", 1.0, True).ok
    assert not Check("m", 0.5, None, "higher", 0.03, False).ok


def test_baseline_entries_take_tolerances_from_counts_and_keep_hand_set_ones(tmp_path: Path) -> None:
    summary = {
        "answer_accuracy": 0.7,
        "abstention_rate": 0.5,
        "latency_total_median_s": 4.0,
        "latency_rewrite_p95_s": 1.0,
    }
    tally = {"questions": 71, "answerable": 55, "unanswerable": 16, "passed": 40, "citation_judged": 30}
    entry = baseline_entry(summary, tally, None, command="qa eval")
    assert entry["metrics"] == {
        "answer_accuracy": {"value": 0.7, "better": "higher", "tolerance": 0.03},
        "abstention_rate": {"value": 0.5, "better": "higher", "tolerance": 0.0625},  # one of 16
        "latency_total_median_s": {"value": 4.0, "better": "lower", "tolerance": 1.0, "relative": True},
        "latency_rewrite_p95_s": {"value": 1.0},  # reported, not gated
    }
    entry["metrics"]["answer_accuracy"]["tolerance"] = 0.1
    again = baseline_entry({"answer_accuracy": 0.6}, tally, entry)
    assert again["metrics"]["answer_accuracy"] == {"value": 0.6, "better": "higher", "tolerance": 0.1}
    assert [c.metric for c in compare(summary, entry)] == [
        "answer_accuracy",
        "abstention_rate",
        "latency_total_median_s",
    ]
    assert [c.metric for c in compare(summary, entry, latency=False)] == ["answer_accuracy", "abstention_rate"]

    path = tmp_path / "baseline.json"
    save_profile(path, "b/x", entry)
    save_profile(path, "a/y", again)
    stored = load_baseline(path)
    assert list(stored) == ["about", "profiles"] and list(stored["profiles"]) == ["a/y", "b/x"]
    path.write_text("{", encoding="utf-8")
    with pytest.raises(ValueError, match="is not valid JSON"):
        load_baseline(path)


# the report


def test_the_report_lists_failures_first_and_writes_records_and_plots(tmp_path: Path) -> None:
    right = [hit(VACCINE_FILE)]
    records = (record(gold(qid="good"), right, text="50,000 doses [1]"), record(gold(qid="bad"), right, text="9 [1]"))
    summary = retrieval_metrics(records) | answer_metrics(records) | latency_metrics(records)
    entry = baseline_entry(
        summary | {"answer_accuracy": 1.0}, counts(records), None, measured="then", command="qa eval"
    )
    entry["metrics"]["answer_accuracy"]["tolerance"] = 0.1  # two questions would allow one flip
    checks = tuple(compare(summary, entry))
    run = Run("seeds/x", "qa eval", "seeds", "now", 1.0, {}, "sha", records, summary, counts(records), checks, entry)
    report = write_report(run, tmp_path / "out")
    text = report.read_text(encoding="utf-8")
    assert "- gate: **FAILED: 1 of" in text and "(answer_accuracy)" in text
    assert "| answer_accuracy | higher | 1.000 | 0.500 | 0.900 | **FAIL** |" in text
    assert text.index("### bad (number)") < text.index("## Passed (1)") < text.index("| good | number |")
    assert "- why: no accepted answer in the text" in text
    data = json.loads((tmp_path / "out" / "records.json").read_text(encoding="utf-8"))
    assert [r["id"] for r in data["records"]] == ["good", "bad"]
    assert data["records"][1]["reasons"] == ["no accepted answer in the text"]
    assert data["records"][0]["citations"][0]["quote"] == PROVIDED
    for plot in ("metrics.png", "latency.png"):
        assert (tmp_path / "out" / plot).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


# qa eval end to end, offline


@pytest.fixture
def fake_env(corpus: Path, settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Settings:
    """The seeds indexed with the fake embedder, and QA_* variables that make ``qa eval`` use them."""
    index_with_fake_embedder(settings)
    monkeypatch.setenv("QA_EMBEDDER", settings.embedder)
    monkeypatch.setenv("QA_CACHE_DIR", str(settings.cache_dir))
    return settings


def test_qa_eval_stores_a_baseline_passes_it_and_fails_with_top_1_context(
    fake_env: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    common = ["eval", "--corpus", str(fake_env.corpus_dir), "--index", str(fake_env.index_dir)]
    common += ["--backend", "extractive", "--baseline", str(tmp_path / "b.json"), "-q", "--no-latency-gate"]
    assert main([*common, "--out", str(tmp_path / "first"), "--update-baseline"]) == 0
    stored = load_baseline(tmp_path / "b.json")["profiles"]["corpus/extractive"]
    gold = load_questions()
    assert stored["counts"]["questions"] == len(gold)
    assert stored["counts"]["unanswerable"] == sum(not q.answerable for q in gold)
    where = f"--corpus {fake_env.corpus_dir} --index {fake_env.index_dir}"
    assert stored["command"] == f"qa eval {where} --backend extractive"
    records = json.loads((tmp_path / "first" / "records.json").read_text(encoding="utf-8"))["records"]
    assert [r["id"] for r in records] == [q.id for q in gold]
    capsys.readouterr()

    assert main([*common, "--out", str(tmp_path / "same")]) == 0
    assert "gate: passed: 11 checks" in capsys.readouterr().out

    monkeypatch.setenv("QA_ANSWER_CHUNKS", "1")
    assert main([*common, "--out", str(tmp_path / "worse")]) == 3
    out = capsys.readouterr()
    assert "gate: FAILED" in out.out
    assert "is worse than the baseline" in out.err
    report = (tmp_path / "worse" / "report.md").read_text(encoding="utf-8")
    assert "**FAIL**" in report
    assert "- setting `answer_chunks`: baseline 5, now 1" in report


def test_qa_eval_with_bad_input_is_exit_2_with_a_message(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["eval", "--questions", str(tmp_path / "none.jsonl")]) == 2
    assert "error: question file" in capsys.readouterr().err
    assert main(["eval", "--squad", "--questions", "x.jsonl"]) == 2
    assert "error: give --squad or --questions, not both" in capsys.readouterr().err
    assert main(["eval", "--ci", "--backend", "local"]) == 2
    assert "--ci runs fixed evaluations of the seeds" in capsys.readouterr().err


def test_a_follow_up_is_asked_after_its_earlier_questions_with_their_answers(corpus: Path, settings: Settings) -> None:
    index_with_fake_embedder(settings)
    first = "Which Russian foreign minister visited Islamabad?"
    follow_ups = [
        GoldQuestion("f1", "follow-up", "How many doses did his country provide?", ("50,000",), (RUSSIA,), (first,)),
        GoldQuestion("f2", "follow-up", "And how many will Pakistan buy?", ("5 million",), (RUSSIA,), (first,)),
    ]
    rewrites: list[str] = []

    def model(system: str, user: str) -> str:
        if system == REWRITE_PROMPT:
            rewrites.append(user)
            return "How many doses of Sputnik-V?"
        if f"Question: {first}" in user:
            number = next(n for n, text in numbered_sentences(user).items() if "Sergey Lavrov" in text)
            return json_reply([number], True, "Sergey Lavrov")
        return json_reply([], False, "")

    records = evaluate_answers(
        Dataset("t", settings.corpus_dir, tuple(follow_ups)), settings, settings.index_dir, ScriptedGenerator(model)
    )
    assert [r.question.id for r in records] == ["f1", "f2"]
    # the earlier question was asked once, on its own, and its answer goes with it into both rewrites
    assert rewrites == [
        f"Earlier questions:\n- {first} (answer: Sergey Lavrov)\n\nLast question: {q.question}" for q in follow_ups
    ]


def test_earlier_questions_are_asked_in_order_and_once_each() -> None:
    asked: list[tuple[str, tuple[str, ...]]] = []

    def reply(question: str, history: list[Turn]) -> Turn:
        asked.append((question, tuple(t.question for t in history)))
        return Turn(question, question.upper())

    turns: dict[tuple[str, ...], Turn] = {}
    assert history_of(("a?", "b?"), turns, reply) == [Turn("a?", "A?"), Turn("b?", "B?")]
    assert history_of(("a?", "c?"), turns, reply) == [Turn("a?", "A?"), Turn("c?", "C?")]
    assert asked == [("a?", ()), ("b?", ("a?",)), ("c?", ("a?",))]


def test_the_citation_engine_reads_a_follow_up_with_its_earlier_exchanges() -> None:
    history = [Turn("Who visited?", "Sergey Lavrov"), Turn("When?", "")]
    assert with_history("What did he say?", history) == (
        "Earlier question: Who visited? Answer: Sergey Lavrov\n"
        "Earlier question: When? Answer: none\n"
        "Question: What did he say?"
    )
    assert with_history("Who visited?", []) == "Who visited?"
