from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from qa.embed import SMALL_BATCH, fast_bf16, load_embedder, resolve_precision

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


@pytest.mark.real
def test_bf16_vectors_are_unit_length_and_within_tolerance_of_fp32() -> None:
    fp32 = load_embedder("all-MiniLM-L6-v2", 64, "fp32").embed(TEXTS * 8)
    bf16 = load_embedder("all-MiniLM-L6-v2", 64, "bf16").embed(TEXTS * 8)
    assert bf16.shape == fp32.shape and bf16.dtype == np.float32
    assert np.allclose(np.linalg.norm(bf16, axis=1), 1.0, atol=1e-5)
    assert float((bf16 * fp32).sum(axis=1).min()) >= 0.999
    assert not np.array_equal(bf16, fp32)  # bfloat16 did run


def test_auto_precision_is_bf16_exactly_where_the_cpu_has_amx() -> None:
    assert resolve_precision("auto") == ("bf16" if fast_bf16() else "fp32")
    assert resolve_precision("fp32") == "fp32"
    assert resolve_precision("bf16") == "bf16"
    with pytest.raises(ValueError, match="unknown embedding precision 'fp16'"):
        resolve_precision("fp16")
