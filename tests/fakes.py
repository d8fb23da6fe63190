"""Test doubles whose output depends on their input, so tests can assert exact results."""

from __future__ import annotations

import hashlib
import re
import time

import numpy as np

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
