"""Test doubles whose output depends on their input, so tests can assert exact results."""

from __future__ import annotations

import hashlib
import json
import re
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np

from evals.replay import numbered_sentences as numbered_sentences  # the tests' way to read a prompt
from qa.answer import VERIFY_PROMPT
from qa.embed import Vectors

_WORD = re.compile(r"\w+")


class HashEmbedder:
    """A bag of lower-cased words, each hashed to one of ``dim`` buckets, L2-normalised.
    Records every text it embeds in ``calls``."""

    def __init__(self, dim: int = 64, name: str = "hash-bag-of-words", delay: float = 0.0) -> None:
        self.name = name
        self.dim = dim
        self.delay = delay
        self.calls: list[str] = []

    def embed(self, texts: list[str], *, progress: bool = False) -> Vectors:
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for row, text in enumerate(texts):
            self.calls.append(text)
            if self.delay:
                time.sleep(self.delay)
            for word in _WORD.findall(text.lower()):
                out[row, int(hashlib.md5(word.encode()).hexdigest(), 16) % self.dim] += 1.0
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        return out / np.where(norms == 0, 1.0, norms)


class ScriptedGenerator:
    """An answer model whose reply is a function of its prompts, streamed a few characters at a time.
    Records every (system, user, schema) it is given in ``calls``. Asked to check an answer (the second
    look), it replies ``verdict`` (or what ``verdict`` says of the prompt). With ``hold``, it writes
    nothing until that event is set (an answer still running, for as long as a test needs)."""

    def __init__(
        self,
        reply: Callable[[str, str], str],
        name: str = "scripted",
        piece: int = 5,
        hold: threading.Event | None = None,
        verdict: bool | Callable[[str], bool] = True,
    ) -> None:
        self.name = name
        self.verdict = verdict
        self.reply = reply
        self.piece = piece
        self.hold = hold
        self.calls: list[tuple[str, str, dict[str, Any] | None]] = []

    def stream(self, system: str, user: str, *, schema: dict[str, Any] | None, max_tokens: int) -> Iterator[str]:
        self.calls.append((system, user, schema))
        if self.hold is not None:
            self.hold.wait()
        if system == VERIFY_PROMPT:
            text = json.dumps({"supported": self.verdict(user) if callable(self.verdict) else self.verdict})
        else:
            text = self.reply(system, user)
        for i in range(0, len(text), self.piece):
            yield text[i : i + self.piece]


class SureGenerator(ScriptedGenerator):
    """A ``ScriptedGenerator`` that, asked to check an answer, says how sure it is: ``sureness`` that
    the reply is true (a ``qa.generate.Judge``, as the local model is). Records the (system, user,
    field) of each check in ``judged``."""

    def __init__(self, reply: Callable[[str, str], str], sureness: float) -> None:
        super().__init__(reply)
        self.sureness = sureness
        self.judged: list[tuple[str, str, str]] = []

    def true_probability(self, system: str, user: str, field: str) -> float:
        self.judged.append((system, user, field))
        return self.sureness


def json_reply(evidence: list[int], answerable: bool, answer: str) -> str:
    return json.dumps({"evidence": evidence, "answerable": answerable, "answer": answer})
