from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from qa.embed import SMALL_BATCH, load_embedder

TEXTS = [
    "How many doses of the Sputnik-V vaccine will Pakistan buy?",
    "Pakistan offered India ventilators, oxygen supply kits and other medical equipment.",
    "The Pakistan Stream gas pipeline will run from Karachi to Lahore.",
]


@pytest.mark.real
def test_a_few_texts_are_embedded_on_one_thread_with_the_same_vectors(monkeypatch: pytest.MonkeyPatch) -> None:
    import torch

    embedder = load_embedder("all-MiniLM-L6-v2")
    threads: list[int] = []
    encode = embedder._model.encode

    def recording(*args: Any, **kwargs: Any) -> Any:
        threads.append(torch.get_num_threads())
        return encode(*args, **kwargs)

    monkeypatch.setattr(embedder._model, "encode", recording)
    torch.set_num_threads(2)
    few = embedder.embed(TEXTS)
    many = embedder.embed(TEXTS * (SMALL_BATCH // len(TEXTS) + 1))
    assert threads == [1, 2]
    assert torch.get_num_threads() == 2
    assert few.shape == (3, 384) and few.dtype == np.float32
    assert np.allclose(few, many[:3], atol=1e-5)
    assert np.allclose(np.linalg.norm(few, axis=1), 1.0, atol=1e-5)
