from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from bench.common import percentile
from bench.indexing import repeated_corpus
from bench.search import recall_at_k, synthetic_base
from evals.gold import QUESTIONS, load_questions
from tests.conftest import SEEDS


def test_percentile_is_nearest_rank() -> None:
    values = [float(v) for v in range(1, 101)]
    assert percentile(values, 0.95) == 95.0
    assert percentile(values, 0.5) == 50.0
    assert percentile([3.0, 1.0, 2.0], 0.95) == 3.0
    with pytest.raises(ValueError, match="percentile of no values"):
        percentile([], 0.5)


def test_recall_at_k_is_the_mean_share_of_true_neighbours_found() -> None:
    truth = np.array([[1, 2, 3, 4], [5, 6, 7, 8]])
    found = np.array([[4, 3, 2, 1], [5, 6, 0, 9]])
    assert recall_at_k(truth, found) == 0.75


def test_synthetic_base_starts_with_the_pool_and_stays_near_it() -> None:
    rng = np.random.default_rng(3)
    pool = rng.standard_normal((50, 32)).astype(np.float32)
    pool /= np.linalg.norm(pool, axis=1, keepdims=True)
    base = synthetic_base(pool, 1_000, spread=0.75, seed=0)
    assert base.shape == (1_000, 32) and base.dtype == np.float32
    assert np.array_equal(base[:50], pool)
    assert np.allclose(np.linalg.norm(base, axis=1), 1.0, atol=1e-5)
    nearest = (base[50:] @ pool.T).max(axis=1)  # each synthetic row's cosine to its closest pool row
    assert 0.7 < float(np.median(nearest)) < 0.9  # about 1 / sqrt(1 + 0.75**2) = 0.8
    assert np.array_equal(base, synthetic_base(pool, 1_000, spread=0.75, seed=0))


def test_repeated_corpus_makes_enough_copies(tmp_path: Path) -> None:
    copies = repeated_corpus(SEEDS, tmp_path / "big", min_chunks=100, chunks_per_copy=34)
    assert copies == 3
    names = sorted(p.relative_to(tmp_path / "big").as_posix() for p in (tmp_path / "big").rglob("*.txt"))
    assert len(names) == 3 * len(list(SEEDS.glob("*.txt")))
    assert names[0].startswith("copy-000/")


@pytest.fixture
def tiny_squad(tmp_path: Path) -> Path:
    """A SQuAD-shaped folder over the seed articles, with the gold questions as its questions."""
    folder = tmp_path / "squad"
    (folder / "docs").mkdir(parents=True)
    for path in SEEDS.glob("*.txt"):
        (folder / "docs" / path.name).write_text(path.read_text(encoding="utf-8"), encoding="utf-8")
    qas = [
        {"id": q.id, "question": q.question, "answers": [{"text": a, "answer_start": 0} for a in q.answers]}
        for q in load_questions(QUESTIONS)
    ]
    data = {"data": [{"title": "seeds", "paragraphs": [{"context": "", "qas": qas}]}]}
    (folder / "dev-v1.1.json").write_text(json.dumps(data), encoding="utf-8")
    return folder


@pytest.mark.real
def test_the_benchmark_runs_end_to_end_at_tiny_sizes(tiny_squad: Path, tmp_path: Path) -> None:
    from bench.run import main

    out = tmp_path / "out"
    args = ["--squad", str(tiny_squad), "--sizes", "400,800", "--queries", "20", "--retrieve-queries", "5"]
    args += ["--large-chunks", "60", "--reference-chunk-size", "0", "--ask", "2", "--ask-backend", "extractive"]
    args += ["--reference-ask", "0", "--cache", str(tmp_path / "cache"), "--out", str(out)]
    assert main(args) == 0
    results = json.loads((out / "results.json").read_text(encoding="utf-8"))
    ours, reference = results["index"]["ours"], results["index"]["reference"]
    assert ours["chunks"] == ours["embedded"] > 0 and ours["layout"] == {"kind": "flat", "nlist": 0, "nprobe": 0}
    assert reference["chunks"] > 0 and reference["peak_rss_mb"] > 0
    assert results["large"]["copies"] == 2 and results["large"]["chunks"] == 2 * ours["chunks"]
    assert results["large"]["embedded"] == ours["chunks"]  # verbatim copies: each text embedded once
    sizes = results["search"]["sizes"]
    assert [row["n"] for row in sizes] == [400, 800]
    assert all(0.0 <= point["recall"] <= 1.0 for row in sizes for point in row["sweep"])
    assert [row["ivf"]["nlist"] for row in sizes] == [8, 16]
    assert results["ask"]["ours"]["questions"] == 2 and "reference" not in results["ask"]
    report = (out / "report.md").read_text(encoding="utf-8")
    for heading in ("**Indexing**", "**Search on real indexes**", "**Dense search at scale**", "**Answering**"):
        assert heading in report
    assert {p.name for p in out.glob("*.png")} == {"search.png", "indexing.png", "answering.png"}
    cached = sorted(p.name.split("-")[0] for p in (tmp_path / "cache").iterdir())
    assert cached == ["base", "base", "ivf", "ivf", "pool.npz", "truth", "truth"]
