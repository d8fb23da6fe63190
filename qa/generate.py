"""Answer models behind one small interface: the bundled GGUF model through llama-cpp-python, and
any OpenAI-compatible server (llama.cpp server, vLLM, Ollama) through llama-index's OpenAILike.
Each streams the text it writes; the caller measures time and parses."""

from __future__ import annotations

import atexit
import codecs
import json
import re
import threading
from collections.abc import Callable, Iterator
from collections.abc import Generator as Generator_
from contextlib import contextmanager
from functools import lru_cache, partial
from pathlib import Path
from typing import Any, Protocol, runtime_checkable


class Generator(Protocol):
    """Streams a chat completion, piece by piece. With ``schema``, the output is JSON that matches it
    (where the backend can enforce it)."""

    name: str

    def stream(self, system: str, user: str, *, schema: dict[str, Any] | None, max_tokens: int) -> Iterator[str]: ...


@runtime_checkable
class Judge(Protocol):
    """A model that can say how sure it is of a yes/no reply (the second look), not only the reply."""

    def true_probability(self, system: str, user: str, field: str) -> float: ...


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


def chat_prompt(system: str, user: str) -> str:
    """The whole ChatML prompt of one exchange, up to where the assistant's reply begins."""
    return f"{system_turn(system)}<|im_start|>user\n{user}<|im_end|>\n<|im_start|>assistant\n"


OPENING_GRAMMAR = 'root ::= "{" " "? "\\""'  # a JSON object's first character, then its first key's quote

TRUE_WORDS, FALSE_WORDS = (" true", "true"), (" false", "false")  # how a JSON boolean value may begin

MAX_KEPT_INSTRUCTIONS = 4  # system prompts whose read state is kept: answering, checking, rewriting


def object_fields(schema: dict[str, Any] | None) -> list[tuple[str, dict[str, Any]]]:
    """The fields of an object schema in the order they are written, when all are required (the
    JSON is then the same text between the values whatever they are); otherwise none."""
    if not schema or schema.get("type") != "object":
        return []
    properties: dict[str, dict[str, Any]] = schema.get("properties", {})
    if not properties or set(schema.get("required", ())) != set(properties):
        return []
    return list(properties.items())


def opened(text: str) -> bool:
    """Whether ``text``, written under ``OPENING_GRAMMAR``, is the whole opening (up to the first key's quote)."""
    return text.endswith('"')


def value_grammar(field: dict[str, Any], tail: str) -> str:
    """GBNF for one field's value, after an optional space (the model's, not the prompt's: a prompt
    that ends in a space leaves it on an odd token boundary, and it wrote "[-1, -2]"), followed by
    ``tail``, the first character of the JSON after it ("," or "}"). With the tail in the grammar the
    model may end a value as it would in the whole object (Qwen writes ``",`` as one token); without
    it, it would have to end on a bare quote."""
    from llama_cpp.llama_grammar import json_schema_to_gbnf

    rules = re.sub(r"^root ::=", "value ::=", json_schema_to_gbnf(json.dumps(field)), flags=re.MULTILINE)
    return f"root ::= space value {json.dumps(tail)}\n{rules}"


def value_done(text: str, tail: str) -> bool:
    """Whether ``text``, written under ``value_grammar``, is a whole value and its tail: the tail
    character may also stand inside a string ("a, b")."""
    if not text.endswith(tail):
        return False
    try:
        json.loads(text[: -len(tail)])  # leading space is allowed
    except json.JSONDecodeError:
        return False
    return True


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
        # the tokens that begin a JSON true, and a false (each word is one token of the vocabulary)
        self._booleans = [[self._token(word) for word in words] for words in (TRUE_WORDS, FALSE_WORDS)]
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

    def _grammar(self, gbnf: str) -> Any:
        """The compiled grammar of ``gbnf``, once per text (a name question brings its own list)."""
        from llama_cpp.llama_grammar import LlamaGrammar

        if gbnf not in self._grammars:
            if len(self._grammars) >= 32:
                self._grammars.clear()
            self._grammars[gbnf] = LlamaGrammar.from_string(gbnf, verbose=False)
        return self._grammars[gbnf]

    def stream(self, system: str, user: str, *, schema: dict[str, Any] | None, max_tokens: int) -> Iterator[str]:
        from llama_cpp.llama_grammar import json_schema_to_gbnf

        prompt = chat_prompt(system, user)
        fields = object_fields(schema)
        with self._lock:
            self._resume(system)
            if fields:
                yield from self._write_fields(prompt, fields, max_tokens)
            else:
                grammar = self._grammar(json_schema_to_gbnf(json.dumps(schema))) if schema else None
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

    def true_probability(self, system: str, user: str, field: str) -> float:
        """How likely the model is to reply ``true`` when its reply is the JSON object ``{"<field>":
        <bool>}``: it writes the opening, the code the key, and the next token's scores are turned into
        a probability over the ways of starting the value (``true`` or ``false``, with or without a
        space). Greedy decoding writes ``true`` when this is at least 0.5. A model that does not open
        an object is taken to say yes, as ``answer.parse_verdict`` takes a reply that is not JSON."""
        import numpy as np
        from llama_cpp import LogitsProcessorList

        prompt = chat_prompt(system, user)
        scores: list[Any] = []

        def keep_scores(_ids: Any, logits: Any) -> Any:
            scores.append(np.array(logits, dtype=np.float64))
            return logits

        with self._lock:
            self._resume(system)
            opening, _ = drain(self._write(prompt, OPENING_GRAMMAR, opened, 4))
            if opened(opening):
                head = prompt + opening + json.dumps(field)[1:] + ":"
                steps = self._llm.generate(
                    self._llm.tokenize(head.encode(), special=True),
                    temp=0.0,
                    logits_processor=LogitsProcessorList([keep_scores]),
                )
                next(steps)  # one model step: its scores are kept
                steps.close()
            self._keep(system)
        if not scores:
            return 1.0
        yes, no = (np.logaddexp.reduce(scores[0][tokens]) for tokens in self._booleans)
        return float(1.0 / (1.0 + np.exp(no - yes)))

    def _token(self, word: str) -> int:
        """The id of a word the vocabulary holds as one token."""
        (token,) = self._llm.tokenize(word.encode(), add_bos=False, special=False)
        return int(token)

    def _write_fields(self, prompt: str, fields: list[tuple[str, dict[str, Any]]], max_tokens: int) -> Iterator[str]:
        """Writes a JSON object field by field: the code writes the text between the values (``answer":``,
        `` "evidence":``), the model only the values, each under its own grammar. Forced text costs the
        model one step per token when a grammar leaves it no choice; written by the code, it is read with
        the next value's prompt in one batch (about 13 steps fewer for an answer, 4 for a check). The
        opening, ``{"`` or ``{ "``, is the model's own choice: it sways what follows (opened with a space,
        the second look refuses more answers)."""
        text, left = yield from self._write(prompt, OPENING_GRAMMAR, opened, max_tokens)
        if not opened(text):  # the model stopped, or ran out of tokens
            return
        for i, (name, field) in enumerate(fields):
            between = ("" if i == 0 else ' "') + json.dumps(name)[1:] + ":"
            yield between
            tail = "}" if i == len(fields) - 1 else ","
            done = partial(value_done, tail=tail)
            value, left = yield from self._write(prompt + text + between, value_grammar(field, tail), done, left)
            if not done(value):
                return
            text += between + value

    def _write(
        self, prompt: str, gbnf: str, done: Callable[[str], bool], max_tokens: int
    ) -> Generator_[str, None, tuple[str, int]]:
        """Yields the model's text after ``prompt`` under the grammar ``gbnf``, piece by piece, until
        ``done`` holds for it, the model ends, or ``max_tokens`` are written; returns the text and how
        many tokens are left."""
        from llama_cpp import llama_vocab_is_eog

        text = ""
        if max_tokens <= 0 or done(text):
            return text, max_tokens
        decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
        steps = self._llm.generate(
            self._llm.tokenize(prompt.encode(), special=True), temp=0.0, grammar=self._grammar(gbnf)
        )
        try:
            for token in steps:  # each token asked for is a model step: stop as soon as done
                if llama_vocab_is_eog(self._llm._model.vocab, token):
                    break
                max_tokens -= 1
                piece = decoder.decode(self._llm.detokenize([token]))
                text += piece
                if piece:
                    yield piece
                if max_tokens == 0 or done(text):
                    break
        finally:
            steps.close()
        return text, max_tokens


def drain(steps: Generator_[str, None, tuple[str, int]]) -> tuple[str, int]:
    """Runs a ``_write`` to its end without passing its pieces on; its return value."""
    while True:
        try:
            next(steps)
        except StopIteration as stop:
            text, left = stop.value
            return text, left


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
