"""Answer models behind one small interface: the bundled GGUF model through llama-cpp-python, and
any OpenAI-compatible server (llama.cpp server, vLLM, Ollama) through llama-index's OpenAILike.
Each streams the text it writes; the caller measures time and parses."""

from __future__ import annotations

import atexit
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import Any, Protocol


class Generator(Protocol):
    """Streams a chat completion, piece by piece. With ``schema``, the output is JSON that matches it
    (where the backend can enforce it)."""

    name: str

    def stream(self, system: str, user: str, *, schema: dict[str, Any] | None, max_tokens: int) -> Iterator[str]: ...


_params_lock = threading.Lock()


@contextmanager
def plain_cpu_weights() -> Iterator[None]:
    """While open, models llama-cpp-python loads keep their weights in plain CPU buffers: no
    "extra buffer types" (llama.cpp's runtime weight repacking, and its AMX buffers). On CPUs with
    AMX (Sapphire Rapids and later), the AMX matrix multiply of this Q4_K_M model crashes the process
    (ggml-org/llama.cpp#20824); and on this machine the repacked weights read a 600-token prompt
    slower (5.3 s) than plain ones (3.9 s). ``Llama()`` has no argument for it, so its default model
    parameters are wrapped for the duration."""
    import llama_cpp.llama_cpp as low

    with _params_lock:
        default = low.llama_model_default_params

        def without_extra_buffers() -> Any:
            params = default()
            params.use_extra_bufts = False
            return params

        low.llama_model_default_params = without_extra_buffers
        try:
            yield
        finally:
            low.llama_model_default_params = default


def system_turn(system: str) -> str:
    """The system turn that opens every ChatML prompt (and whose read state is kept)."""
    return f"<|im_start|>system\n{system}<|im_end|>\n"


MAX_KEPT_INSTRUCTIONS = 4  # system prompts whose read state is kept: answering, checking, rewriting


class LlamaCppGenerator:
    """A local GGUF model (Qwen's ChatML format) on the CPU. The same instance serves every request
    of the process; a lock keeps one generation at a time. llama.cpp reuses what it has read of the
    previous prompt where the next one begins the same way; so that the answer prompt's instructions
    are not read again after a prompt with other instructions (the second look's), the model's state
    after the first prompt of each system prompt is kept and restored when the next prompt opens with
    that system prompt and the model holds another."""

    def __init__(self, model_path: Path, name: str, n_threads: int = 2, n_ctx: int = 2048) -> None:
        from llama_cpp import Llama

        self.name = name
        self._lock = threading.Lock()
        with plain_cpu_weights():
            self._llm = Llama(
                model_path=str(model_path), n_ctx=n_ctx, n_threads=n_threads, n_batch=256, verbose=False, seed=0
            )
        self._grammars: dict[str, Any] = {}
        self._read: dict[str, tuple[list[int], Any]] = {}  # system prompt -> (its tokens, a LlamaState)
        atexit.register(self._llm.close)  # freed before interpreter teardown, which llama-cpp trips over

    def _resume(self, system: str) -> None:
        """Restores the kept state of ``system`` when the model holds another prompt's beginning."""
        if system not in self._read:
            return
        head, state = self._read[system]
        if self._llm.input_ids[: min(len(head), self._llm.n_tokens)].tolist() != head:
            self._llm.load_state(state)

    def _keep(self, system: str) -> None:
        if system not in self._read and len(self._read) < MAX_KEPT_INSTRUCTIONS:
            head = self._llm.tokenize(system_turn(system).encode(), special=True)
            self._read[system] = (head, self._llm.save_state())

    def stream(self, system: str, user: str, *, schema: dict[str, Any] | None, max_tokens: int) -> Iterator[str]:
        from llama_cpp.llama_grammar import LlamaGrammar

        grammar = None
        if schema:
            key = json.dumps(schema, sort_keys=True)
            if key not in self._grammars:  # once per schema; questions asking for a name bring their own
                if len(self._grammars) >= 32:
                    self._grammars.clear()
                self._grammars[key] = LlamaGrammar.from_json_schema(json.dumps(schema), verbose=False)
            grammar = self._grammars[key]
        prompt = f"{system_turn(system)}<|im_start|>user\n{user}<|im_end|>\n<|im_start|>assistant\n"
        with self._lock:
            self._resume(system)
            for part in self._llm.create_completion(
                prompt,
                max_tokens=max_tokens,
                temperature=0.0,
                stop=["<|im_end|>", "<|endoftext|>"],
                grammar=grammar,
                stream=True,
            ):
                text = part["choices"][0]["text"]  # type: ignore[index]
                if text:
                    yield text
            self._keep(system)


class OpenAICompatibleGenerator:
    """A model behind an OpenAI-compatible chat endpoint, through llama-index's ``OpenAILike``.
    A ``schema`` is sent as ``response_format`` (json_schema), which llama.cpp server, vLLM and
    Ollama enforce."""

    def __init__(self, base_url: str, model: str, api_key: str = "not-needed", timeout: float = 120.0) -> None:
        from llama_index.llms.openai_like import OpenAILike

        self.name = f"{model} @ {base_url}"
        self._llm = OpenAILike(
            model=model,
            api_base=base_url,
            api_key=api_key,
            is_chat_model=True,
            context_window=8192,
            timeout=timeout,
            max_retries=0,
            temperature=0.0,
        )

    def stream(self, system: str, user: str, *, schema: dict[str, Any] | None, max_tokens: int) -> Iterator[str]:
        from llama_index.core.llms import ChatMessage

        extra: dict[str, Any] = {"max_tokens": max_tokens}
        if schema:
            extra["response_format"] = {"type": "json_schema", "json_schema": {"name": "answer", "schema": schema}}
        messages = [ChatMessage(role="system", content=system), ChatMessage(role="user", content=user)]
        for response in self._llm.stream_chat(messages, **extra):
            if response.delta:
                yield response.delta


@lru_cache(maxsize=2)
def local_generator(model_path: Path, name: str, n_threads: int) -> LlamaCppGenerator:
    """The local model, loaded once per process."""
    return LlamaCppGenerator(model_path, name, n_threads=n_threads)
