"""End to end on the seed articles with the real embedder and the bundled 1.5B model."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from qa.ask import ask, ask_stream
from qa.config import Settings
from qa.index import build_index
from qa.types import Answer
from tests.conftest import SEEDS

pytestmark = pytest.mark.real


@pytest.fixture(scope="module")
def settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    index_dir = tmp_path_factory.mktemp("seeds-index")
    settings = Settings.from_env(corpus_dir=SEEDS, index_dir=index_dir, answer_backend="local")
    build_index(SEEDS, index_dir, settings=settings)
    return settings


@pytest.mark.parametrize(
    ("question", "expected", "source"),
    [
        ("How many tourists were killed in the attack in Pahalgam?", "26", "003_846f8b5f639282ae.txt"),
        ("Who is Pakistan's ambassador in Washington?", "Asad Majeed Khan", "001_a6f6af1ea4f89335.txt"),
        ("How many doses of the vaccine will Pakistan buy?", "5 million", "004_07e1443d25d1940b.txt"),
    ],
)
def test_the_local_model_answers_seed_questions_with_the_right_citation(
    settings: Settings, question: str, expected: str, source: str
) -> None:
    answer = ask(question, settings=settings)
    assert not answer.abstained
    assert expected in answer.text
    assert answer.citations and {c.source for c in answer.citations} == {source}
    for citation in answer.citations:
        text = (SEEDS / citation.source).read_text(encoding="utf-8")
        assert text[citation.start : citation.end] == citation.quote
    assert answer.model == "qwen2.5-coder-1.5b-instruct-q4_k_m"
    assert 0 < answer.timings.prompt < answer.timings.total


def test_the_local_model_streams_and_abstains_when_the_articles_do_not_say(settings: Settings) -> None:
    items = list(ask_stream("Who won the 2022 FIFA World Cup?", settings=settings))
    answer = items[-1]
    assert isinstance(answer, Answer)
    assert answer.abstained and answer.citations == ()
    assert items[:-1] == ["The articles don't say."]


def test_a_follow_up_is_answered_in_the_context_of_the_conversation(settings: Settings, tmp_path: Path) -> None:
    answer = ask(
        "When did it happen?", history=["How many tourists were killed in the Pahalgam attack?"], settings=settings
    )
    assert "Pahalgam" in answer.search_question
    assert "April 22" in answer.text


def test_a_prompt_after_one_with_other_instructions_gets_the_same_reply(settings: Settings) -> None:
    # The second look's prompt sits between two answers; the answer prompt's read instructions are
    # restored rather than read again, and the reply is the one a fresh read gives.
    from qa.answer import VERIFY_PROMPT, VERIFY_SCHEMA, verify_prompt
    from qa.ask import make_generator

    model = make_generator(settings)
    assert model is not None
    system, user = "Answer in one word. Reply with JSON.", "Which city is the capital of Pakistan?"
    schema = {"type": "object", "properties": {"answer": {"type": "string"}}, "required": ["answer"]}
    first = "".join(model.stream(system, user, schema=schema, max_tokens=12))
    check = verify_prompt(user, "Islamabad", ["Islamabad is the capital of Pakistan."])
    assert json.loads("".join(model.stream(VERIFY_PROMPT, check, schema=VERIFY_SCHEMA, max_tokens=12))) == {
        "supported": True
    }
    assert "".join(model.stream(system, user, schema=schema, max_tokens=12)) == first
    assert {system, VERIFY_PROMPT} <= set(model._read)  # type: ignore[attr-defined]


def test_how_sure_the_second_look_is_agrees_with_its_greedy_reply(settings: Settings) -> None:
    # The second look's verdict is "true" at least 0.5 likely exactly when greedy decoding writes true.
    from qa.answer import VERIFY_PROMPT, VERIFY_SCHEMA, verify_prompt
    from qa.ask import make_generator
    from qa.generate import Judge

    model = make_generator(settings)
    assert isinstance(model, Judge)
    sureness, greedy = {}, {}
    for answer in ("Islamabad", "Karachi"):
        check = verify_prompt(
            "Which city is the capital of Pakistan?", answer, ["Islamabad is the capital of Pakistan."]
        )
        sureness[answer] = model.true_probability(VERIFY_PROMPT, check, "supported")
        reply = json.loads("".join(model.stream(VERIFY_PROMPT, check, schema=VERIFY_SCHEMA, max_tokens=12)))
        greedy[answer] = reply["supported"]
    assert greedy == {"Islamabad": True, "Karachi": False}
    assert sureness["Islamabad"] > 0.8 and sureness["Karachi"] < 0.5


@pytest.mark.parametrize(
    "question",
    ["Who is Pakistan's ambassador in Washington?", "What did Pakistan offer India?"],
)
def test_the_reply_written_field_by_field_is_the_one_the_whole_schema_gives(settings: Settings, question: str) -> None:
    # The code writes the JSON between the values and the model the opening and the values: the replies
    # (answer, then second look) are those llama.cpp writes under the whole object's grammar.
    from llama_cpp.llama_grammar import LlamaGrammar, json_schema_to_gbnf

    from qa.ask import make_generator
    from qa.generate import Generator, chat_prompt

    made = make_generator(settings)
    assert made is not None
    model: Generator = made
    prompts: list[tuple[str, str, dict[str, Any]]] = []

    class Recording:
        name = model.name

        def stream(self, system: str, user: str, *, schema: dict[str, Any] | None, max_tokens: int) -> Iterator[str]:
            assert schema is not None
            prompts.append((system, user, schema))
            return model.stream(system, user, schema=schema, max_tokens=max_tokens)

    recording: Generator = Recording()
    assert not ask(question, settings=settings, generator=recording).abstained
    assert len(prompts) == 2  # the answer and the second look
    for system, user, schema in prompts:
        fields = "".join(model.stream(system, user, schema=schema, max_tokens=120))
        whole = model._llm.create_completion(  # type: ignore[attr-defined]
            chat_prompt(system, user),
            max_tokens=120,
            temperature=0.0,
            grammar=LlamaGrammar.from_string(json_schema_to_gbnf(json.dumps(schema)), verbose=False),
        )
        written = whole["choices"][0]["text"]
        assert fields.split('"')[0] == written.split('"')[0]  # "{" or "{ ": the model's own opening
        assert json.loads(fields) == json.loads(written)
