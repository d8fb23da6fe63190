"""The OpenAI-compatible backend against a small fake server on 127.0.0.1; the local model's JSON
written field by field (its grammars, and when a value is done)."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from qa.answer import ANSWER_SCHEMA, VERIFY_SCHEMA, answer_schema
from qa.ask import ask
from qa.config import Settings
from qa.generate import OpenAICompatibleGenerator, object_fields, plain_cpu_weights, value_done, value_grammar
from tests.conftest import index_with_fake_embedder
from tests.fakes import json_reply, numbered_sentences


class FakeChatServer(ThreadingHTTPServer):
    """Answers POST /v1/chat/completions with a streamed (server-sent events) reply computed from the
    request by ``reply``; keeps the request bodies."""

    def __init__(self, reply: Any) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.reply = reply
        self.requests: list[dict[str, Any]] = []

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/v1"


class _Handler(BaseHTTPRequestHandler):
    server: FakeChatServer

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        self.server.requests.append(body)
        if self.path != "/v1/chat/completions":
            self.send_error(404)
            return
        text = self.server.reply(body)
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.end_headers()
        for i in range(0, len(text), 4):
            chunk = {
                "id": "c1",
                "object": "chat.completion.chunk",
                "created": 0,
                "model": body["model"],
                "choices": [{"index": 0, "delta": {"role": "assistant", "content": text[i : i + 4]}}],
            }
            self.wfile.write(f"data: {json.dumps(chunk)}\n\n".encode())
        self.wfile.write(b"data: [DONE]\n\n")


@pytest.fixture
def server() -> Iterator[FakeChatServer]:
    def reply(body: dict[str, Any]) -> str:
        user = body["messages"][-1]["content"]
        if "response_format" not in body:
            return "plain reply"
        number = next((n for n, t in numbered_sentences(user).items() if "5 million" in t), None)
        return json_reply([number], True, "Pakistan will buy 5 million doses.") if number else json_reply([], False, "")

    fake = FakeChatServer(reply)
    thread = threading.Thread(target=fake.serve_forever, daemon=True)
    thread.start()
    yield fake
    fake.shutdown()


def test_generator_streams_the_servers_reply_and_sends_the_schema(server: FakeChatServer) -> None:
    generator = OpenAICompatibleGenerator(server.base_url, "tiny-model")
    pieces = list(
        generator.stream("sys", "[1] Pakistan will buy 5 million doses.", schema=ANSWER_SCHEMA, max_tokens=50)
    )
    assert len(pieces) > 1
    assert json.loads("".join(pieces)) == {
        "evidence": [1],
        "answerable": True,
        "answer": "Pakistan will buy 5 million doses.",
    }
    request = server.requests[0]
    assert request["model"] == "tiny-model"
    assert request["stream"] is True
    assert request["max_tokens"] == 50
    assert request["response_format"]["json_schema"]["schema"] == ANSWER_SCHEMA
    assert [m["role"] for m in request["messages"]] == ["system", "user"]


def test_ask_through_the_openai_backend(server: FakeChatServer, corpus: Path, settings: Settings) -> None:
    index_with_fake_embedder(settings)
    openai = settings.with_(answer_backend="openai", openai_base_url=server.base_url, openai_model="tiny-model")
    answer = ask("How many doses of the Sputnik-V vaccine will Pakistan buy?", settings=openai)
    assert answer.text == "Pakistan will buy 5 million doses. [1]"
    assert answer.model == f"tiny-model @ {server.base_url}"
    assert answer.citations[0].source == "004_07e1443d25d1940b.txt"


def test_openai_backend_needs_a_url_and_a_model() -> None:
    with pytest.raises(ValueError, match="answer_backend 'openai' needs openai_base_url and openai_model"):
        Settings(answer_backend="openai")


def test_models_load_without_extra_weight_buffers_only_inside_the_context() -> None:
    import llama_cpp.llama_cpp as low

    original = low.llama_model_default_params
    assert original().use_extra_bufts is True  # llama.cpp's default: repacked (and, on AMX CPUs, AMX) weights
    with plain_cpu_weights():
        assert low.llama_model_default_params().use_extra_bufts is False
    assert low.llama_model_default_params is original


def test_an_object_schema_is_written_field_by_field_only_when_every_field_is_required() -> None:
    assert [name for name, _ in object_fields(ANSWER_SCHEMA)] == ["answer", "evidence", "answerable"]
    assert [name for name, _ in object_fields(answer_schema(["two"]))] == ["answer", "evidence", "answerable"]
    assert object_fields(VERIFY_SCHEMA) == [("supported", {"type": "boolean"})]
    assert object_fields({**VERIFY_SCHEMA, "required": []}) == []
    assert object_fields({"type": "string"}) == []
    assert object_fields(None) == []


@pytest.mark.parametrize("tail", [",", "}"])
def test_each_fields_grammar_compiles_and_ends_with_its_tail(tail: str) -> None:
    from llama_cpp.llama_grammar import LlamaGrammar

    for schema in (ANSWER_SCHEMA, answer_schema(['Imran "Khan"', "5,000"]), VERIFY_SCHEMA):
        for _, field in object_fields(schema):
            gbnf = value_grammar(field, tail)
            assert gbnf.startswith(f'root ::= space value "{tail}"\n')
            LlamaGrammar.from_string(gbnf, verbose=False)


json_values = st.one_of(
    st.booleans(),
    st.text(alphabet=st.sampled_from('ab ,}]"\\\n')),
    st.lists(st.integers(min_value=0, max_value=99), max_size=3),
)


@given(value=json_values, tail=st.sampled_from([",", "}"]), space=st.sampled_from(["", " "]))
def test_a_value_is_done_exactly_when_it_and_its_tail_are_written(value: object, tail: str, space: str) -> None:
    written = space + json.dumps(value) + tail
    assert value_done(written, tail)
    assert not any(value_done(written[:end], tail) for end in range(len(written)))
