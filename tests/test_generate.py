"""The OpenAI-compatible backend against a small fake server on 127.0.0.1."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from qa.answer import ANSWER_SCHEMA
from qa.ask import ask
from qa.config import Settings
from qa.generate import OpenAICompatibleGenerator, plain_cpu_weights
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
