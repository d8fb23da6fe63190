from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from qa.config import Settings
from qa.errors import CorpusError, IndexLoadError
from qa.index import DenseLayout, build_dense, build_index, choose_dense_layout, current_version, load_index
from qa.retrieve import Retriever
from tests.conftest import REPO
from tests.fakes import HashEmbedder

SEED = "000_bb0f77902b53b706.txt"


def build(settings: Settings, embedder: HashEmbedder):  # type: ignore[no-untyped-def]
    return build_index(settings.corpus_dir, settings.index_dir, settings=settings, embedder=embedder)


def test_first_build_indexes_every_file_and_writes_a_manifest(
    corpus: Path, settings: Settings, embedder: HashEmbedder
) -> None:
    report = build(settings, embedder)
    assert sorted(report.added) == sorted(p.name for p in corpus.iterdir())
    assert report.embedded_chunks == report.chunks == len(embedder.calls)
    index = load_index(settings.index_dir, settings)
    manifest = index.manifest
    assert manifest.embedder == {"name": "hash-bag-of-words", "dim": 64}
    assert manifest.chunking["chunk_size"] == settings.chunk_size
    assert manifest.counts == {"files": 5, "chunks": report.chunks}
    assert sum(f["chunks"] for f in manifest.files.values()) == report.chunks
    text = (corpus / SEED).read_text(encoding="utf-8")
    for chunk in index.chunks:
        if chunk.source == SEED:
            assert text[chunk.start : chunk.end] == chunk.text


def test_rebuilding_from_scratch_gives_the_same_ids_and_vectors(
    corpus: Path, settings: Settings, tmp_path: Path
) -> None:
    build(settings, HashEmbedder())
    other = settings.with_(index_dir=tmp_path / "other")
    build(other, HashEmbedder())
    a, b = load_index(settings.index_dir, settings), load_index(other.index_dir, other)
    assert [c.chunk_id for c in a.chunks] == [c.chunk_id for c in b.chunks]
    assert np.array_equal(a.vectors, b.vectors)


def test_second_run_with_nothing_changed_embeds_nothing_and_writes_nothing(corpus: Path, settings: Settings) -> None:
    build(settings, HashEmbedder())
    version = current_version(settings.index_dir)
    again = HashEmbedder()
    report = build(settings, again)
    assert (report.added, report.updated, report.removed, len(report.unchanged)) == ((), (), (), 5)
    assert again.calls == []
    assert current_version(settings.index_dir) == version


def test_only_the_changed_file_is_re_embedded_and_removed_files_are_dropped(corpus: Path, settings: Settings) -> None:
    build(settings, HashEmbedder())
    changed = corpus / "002_a84510b569571809.txt"
    changed.write_text(
        changed.read_text(encoding="utf-8") + "\n\nA new closing sentence about the talks.\n", encoding="utf-8"
    )
    (corpus / "003_846f8b5f639282ae.txt").unlink()
    (corpus / "new.md").write_text("# Fresh\n\nA brand new article about trade.\n", encoding="utf-8")
    second = HashEmbedder()
    report = build(settings, second)
    assert report.added == ("new.md",)
    assert report.updated == ("002_a84510b569571809.txt",)
    assert report.removed == ("003_846f8b5f639282ae.txt",)
    assert len(report.unchanged) == 3
    changed_text = changed.read_text(encoding="utf-8")
    assert second.calls and all(
        t in changed_text or t in "# Fresh\n\nA brand new article about trade.\n" for t in second.calls
    )
    assert "A new closing sentence about the talks." in " ".join(second.calls)
    index = load_index(settings.index_dir, settings)
    assert {c.source for c in index.chunks} == {p.name for p in corpus.iterdir()}
    assert "003_846f8b5f639282ae.txt" not in index.manifest.files
    # The incremental index equals one built from scratch.
    fresh = settings.with_(index_dir=settings.index_dir.parent / "fresh")
    build(fresh, HashEmbedder())
    scratch = load_index(fresh.index_dir, fresh)
    assert [c.chunk_id for c in index.chunks] == [c.chunk_id for c in scratch.chunks]
    assert np.allclose(index.vectors, scratch.vectors)


def test_changed_chunk_settings_rebuild_everything(corpus: Path, settings: Settings) -> None:
    build(settings, HashEmbedder())
    smaller = settings.with_(chunk_size=64, chunk_overlap=8)
    again = HashEmbedder()
    report = build(smaller, again)
    assert len(report.added) == 5 and report.embedded_chunks == report.chunks
    assert load_index(smaller.index_dir, smaller).manifest.chunking["chunk_size"] == 64


def test_empty_folder_is_a_corpus_error_and_the_old_index_survives(
    corpus: Path, settings: Settings, tmp_path: Path
) -> None:
    build(settings, HashEmbedder())
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(CorpusError, match="holds no readable article"):
        build_index(empty, settings.index_dir, settings=settings, embedder=HashEmbedder())
    assert len(load_index(settings.index_dir, settings)) > 0


def test_binary_file_in_the_corpus_is_skipped_with_a_warning(corpus: Path, settings: Settings) -> None:
    (corpus / "photo.txt").write_bytes(b"GIF89a\x00\x01\x00\x00")
    warnings: list[str] = []
    report = build_index(
        corpus, settings.index_dir, settings=settings, embedder=HashEmbedder(), on_warning=warnings.append
    )
    assert warnings == ["skipped photo.txt: it is a binary file, not text"]
    assert "photo.txt" not in report.added and len(report.added) == 5


def test_missing_index_says_how_to_build_it(settings: Settings) -> None:
    with pytest.raises(IndexLoadError, match=r"no index at .*qa index"):
        load_index(settings.index_dir, settings)


def test_index_built_with_another_embedder_is_a_clear_error(corpus: Path, settings: Settings) -> None:
    build(settings, HashEmbedder())
    with pytest.raises(IndexLoadError, match=r"built with embedder 'hash-bag-of-words'.*all-MiniLM-L6-v2.*qa index"):
        load_index(settings.index_dir, settings.with_(embedder="all-MiniLM-L6-v2"))
    with pytest.raises(IndexLoadError, match=r"built with .*'dim': 64.*32-d"):
        Retriever(load_index(settings.index_dir, settings), HashEmbedder(dim=32), settings)


@pytest.mark.parametrize("damage", ["manifest", "vectors", "chunks", "format"])
def test_damaged_index_is_a_clear_error_and_the_next_build_repairs_it(
    corpus: Path, settings: Settings, damage: str
) -> None:
    build(settings, HashEmbedder())
    version = current_version(settings.index_dir)
    assert version is not None
    if damage == "manifest":
        (version / "manifest.json").write_text("{not json", encoding="utf-8")
    elif damage == "vectors":
        (version / "vectors.npy").write_bytes(b"garbage")
    elif damage == "chunks":
        lines = (version / "chunks.jsonl").read_text(encoding="utf-8").splitlines()
        (version / "chunks.jsonl").write_text("\n".join(lines[:-3]) + "\n", encoding="utf-8")
    else:
        manifest = json.loads((version / "manifest.json").read_text(encoding="utf-8"))
        manifest["format_version"] = 99
        (version / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    with pytest.raises(IndexLoadError, match="qa index"):
        load_index(settings.index_dir, settings)
    report = build(settings, HashEmbedder())
    assert len(report.added) == 5
    assert len(load_index(settings.index_dir, settings)) == report.chunks


def test_the_rebuild_hint_names_the_folder_the_index_was_built_from(corpus: Path, settings: Settings) -> None:
    elsewhere = settings.index_dir.parent / "elsewhere"
    build(settings.with_(index_dir=elsewhere), HashEmbedder())
    version = current_version(elsewhere)
    assert version is not None
    (version / "vectors.npy").write_bytes(b"garbage")
    with pytest.raises(IndexLoadError) as caught:
        load_index(elsewhere, settings)
    assert str(caught.value).endswith(f"rebuild it with `qa index {corpus.resolve()} --index {elsewhere}`")
    (version / "manifest.json").write_text("{not json", encoding="utf-8")  # then the folder is unknown
    with pytest.raises(IndexLoadError) as caught:
        load_index(elsewhere, settings)
    assert str(caught.value).endswith(f"rebuild it with `qa index CORPUS --index {elsewhere}`")


KILLED_BUILD = """
import sys, time
from pathlib import Path
import faiss
from qa.config import Settings
from qa.index import build_index
from tests.fakes import HashEmbedder

class AnnouncingEmbedder(HashEmbedder):
    def embed(self, texts, *, progress=False):
        print("embedding", flush=True)
        time.sleep(60)
        return super().embed(texts)

def slow_write(index, path):
    print("writing", flush=True)
    time.sleep(60)

corpus, index, phase = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3]
if phase == "writing":
    faiss.write_index = slow_write
settings = Settings(corpus_dir=corpus, index_dir=index, embedder="hash-bag-of-words")
build_index(corpus, index, settings=settings, embedder=AnnouncingEmbedder() if phase == "embedding" else HashEmbedder())
print("finished", flush=True)
"""


@pytest.mark.parametrize("phase", ["embedding", "writing"])
def test_a_build_killed_halfway_leaves_the_previous_index_usable(corpus: Path, settings: Settings, phase: str) -> None:
    build(settings, HashEmbedder())
    before = current_version(settings.index_dir)
    hits_before = Retriever.open(settings.index_dir, settings, HashEmbedder()).search("medical oxygen supplies", k=3)
    for path in corpus.iterdir():  # every file changes, so the build must redo them all
        path.write_text(path.read_text(encoding="utf-8") + "\nOne more line.\n", encoding="utf-8")
    child = subprocess.Popen(
        [sys.executable, "-c", KILLED_BUILD, str(corpus), str(settings.index_dir), phase],
        cwd=REPO,
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(REPO)},
    )
    assert child.stdout is not None and child.stdout.readline().strip() == phase
    child.send_signal(signal.SIGKILL)
    child.wait(timeout=30)
    assert child.returncode == -signal.SIGKILL
    leftovers = [p.name for p in settings.index_dir.iterdir() if p.name.startswith(".building-")]
    assert len(leftovers) == (1 if phase == "writing" else 0)
    assert current_version(settings.index_dir) == before
    hits_after = Retriever.open(settings.index_dir, settings, HashEmbedder()).search("medical oxygen supplies", k=3)
    assert hits_after == hits_before
    report = build(settings, HashEmbedder())  # the next build finishes and clears the leftovers
    assert len(report.updated) == 5
    live = current_version(settings.index_dir)
    assert live is not None and live != before
    assert sorted(p.name for p in settings.index_dir.iterdir()) == ["CURRENT", live.name]


def test_a_failed_write_removes_its_partial_version(
    corpus: Path, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    import faiss

    build(settings, HashEmbedder())
    before = current_version(settings.index_dir)
    (corpus / "new.txt").write_text("An extra article.", encoding="utf-8")

    def broken(index: object, path: str) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(faiss, "write_index", broken)
    with pytest.raises(OSError, match="No space left"):
        build(settings, HashEmbedder())
    assert current_version(settings.index_dir) == before
    assert sorted(p.name for p in settings.index_dir.iterdir()) == ["CURRENT", before.name]  # type: ignore[union-attr]


# ------------------------------------------------------------------ dense layout: exact or IVF


def test_small_indexes_search_exactly_and_large_ones_by_ivf() -> None:
    assert choose_dense_layout(200_000) == DenseLayout("flat")
    assert choose_dense_layout(200_001) == DenseLayout("ivf", nlist=2048, nprobe=64)
    assert choose_dense_layout(1_000_000) == DenseLayout("ivf", nlist=4096, nprobe=128)
    assert choose_dense_layout(10_000_000) == DenseLayout("ivf", nlist=16384, nprobe=512)
    assert choose_dense_layout(700, exact_max=10) == DenseLayout("ivf", nlist=16, nprobe=8)  # 39 points a cluster
    assert choose_dense_layout(50, exact_max=10) == DenseLayout("ivf", nlist=1, nprobe=1)


def test_bad_layouts_are_value_errors() -> None:
    with pytest.raises(ValueError, match=r"exact_max must be greater than 0\. Currently, exact_max is 0"):
        choose_dense_layout(10, exact_max=0)
    with pytest.raises(ValueError, match=r"nprobe must be in \[1, nlist\]\. Currently, nprobe is 9, nlist 8"):
        DenseLayout("ivf", nlist=8, nprobe=9)
    with pytest.raises(ValueError, match="kind must be 'flat' or 'ivf'"):
        DenseLayout("hnsw")  # type: ignore[arg-type]


def clustered_vectors(n: int, dim: int, clusters: int, seed: int) -> np.ndarray:
    """Unit vectors around random centres, like topics: cosine to their centre about 0.8."""
    rng = np.random.default_rng(seed)
    centres = rng.standard_normal((clusters, dim)).astype(np.float32)
    centres /= np.linalg.norm(centres, axis=1, keepdims=True)
    noise = rng.standard_normal((n, dim)).astype(np.float32) * (0.75 / np.sqrt(dim))
    vectors = centres[rng.integers(0, clusters, n)] + noise
    return (vectors / np.linalg.norm(vectors, axis=1, keepdims=True)).astype(np.float32)


def test_ivf_layout_keeps_recall_at_10_against_exact_search() -> None:
    vectors = clustered_vectors(30_000, 48, clusters=300, seed=1)
    queries = clustered_vectors(200, 48, clusters=300, seed=1)  # same centres, fresh points
    layout = choose_dense_layout(len(vectors), exact_max=1_000)
    assert layout == DenseLayout("ivf", nlist=512, nprobe=16)
    exact = build_dense(vectors, DenseLayout("flat"))
    approximate = build_dense(vectors, layout)
    _, truth = exact.search(queries, 10)
    _, found = approximate.search(queries, 10)
    recall = np.mean([len(set(t) & set(f)) / 10 for t, f in zip(truth, found, strict=True)])
    assert recall >= 0.95


def test_a_large_index_is_built_as_ivf_and_updates_keep_its_centroids(corpus: Path, settings: Settings) -> None:
    import faiss

    settings = settings.with_(chunk_size=16)  # many small chunks: enough to cluster
    build_index(corpus, settings.index_dir, settings=settings, embedder=HashEmbedder(), exact_max=10)
    first = load_index(settings.index_dir, settings)
    assert len(first) == 441  # 441 // 39 points a cluster: 8 clusters
    assert first.manifest.dense == {"kind": "ivf", "nlist": 8, "nprobe": 8}
    ivf = faiss.extract_index_ivf(first._dense)
    assert (ivf.nlist, ivf.nprobe, ivf.ntotal) == (8, 8, len(first))
    centroids = ivf.quantizer.reconstruct_n(0, 8)
    hits = Retriever(first, HashEmbedder(), settings).search("Sputnik-V vaccine doses", k=3)
    assert hits[0].source == "004_07e1443d25d1940b.txt"

    (corpus / "new.txt").write_text("A short new article about cricket in Lahore.\n", encoding="utf-8")
    report = build_index(corpus, settings.index_dir, settings=settings, embedder=HashEmbedder(), exact_max=10)
    assert report.added == ("new.txt",) and report.embedded_chunks == 1
    second = load_index(settings.index_dir, settings)
    assert second.manifest.dense == first.manifest.dense
    assert np.array_equal(faiss.extract_index_ivf(second._dense).quantizer.reconstruct_n(0, 8), centroids)
    assert Retriever(second, HashEmbedder(), settings).search("cricket in Lahore", k=1)[0].source == "new.txt"


def test_the_layout_follows_the_size_when_the_corpus_shrinks(corpus: Path, settings: Settings) -> None:
    settings = settings.with_(chunk_size=16)
    build_index(corpus, settings.index_dir, settings=settings, embedder=HashEmbedder(), exact_max=10)
    for path in sorted(corpus.iterdir())[1:]:
        path.unlink()
    build_index(corpus, settings.index_dir, settings=settings, embedder=HashEmbedder(), exact_max=10)
    index = load_index(settings.index_dir, settings)
    expected = choose_dense_layout(len(index), exact_max=10)
    assert index.manifest.layout == expected


def test_an_index_of_the_previous_format_asks_for_a_rebuild(corpus: Path, settings: Settings) -> None:
    build(settings, HashEmbedder())
    version = current_version(settings.index_dir)
    assert version is not None
    manifest = json.loads((version / "manifest.json").read_text(encoding="utf-8"))
    del manifest["dense"]
    manifest["format_version"] = 1
    (version / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    with pytest.raises(IndexLoadError, match=r"has format 1, this version of qa reads format 2; rebuild it"):
        load_index(settings.index_dir, settings)
