from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from qa.cli import main
from tests.conftest import REPO, SEEDS


def run_qa(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "qa.cli", *args], cwd=REPO, capture_output=True, text=True, timeout=300
    )


def test_index_of_an_empty_folder_is_exit_2_with_a_message(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    done = run_qa("index", str(tmp_path / "empty"), "--index", str(tmp_path / "index"))
    assert done.returncode == 2
    assert f"error: corpus folder '{tmp_path / 'empty'}' holds no readable article (.md, .txt files)" in done.stderr
    assert "Traceback" not in done.stderr
    assert not (tmp_path / "index").exists()


def test_search_without_an_index_is_exit_1_saying_how_to_build(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["search", "Kashmir", "--index", str(tmp_path / "none")]) == 1
    assert "no index at" in capsys.readouterr().err


@pytest.mark.real
def test_index_then_reindex_then_search_on_the_seeds(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    corpus, index = tmp_path / "corpus", tmp_path / "index"
    shutil.copytree(SEEDS, corpus)
    (corpus / "broken.txt").write_bytes(b"\x00\x01binary")
    assert main(["index", str(corpus), "--index", str(index)]) == 0
    out = capsys.readouterr()
    assert "added 5, updated 0, removed 0, unchanged 0" in out.out
    assert "warning: skipped broken.txt: it is a binary file, not text" in out.err
    (corpus / "003_846f8b5f639282ae.txt").unlink()
    assert main(["index", str(corpus), "--index", str(index)]) == 0
    out = capsys.readouterr()
    assert "  removed: 003_846f8b5f639282ae.txt" in out.out
    assert "added 0, updated 0, removed 1, unchanged 4" in out.out
    assert main(["index", str(corpus), "--index", str(index)]) == 0
    assert "nothing changed (added 0, updated 0, removed 0, unchanged 4" in capsys.readouterr().out
    assert main(["search", "Sputnik-V vaccine doses for Pakistan", "-k", "2", "--index", str(index)]) == 0
    assert capsys.readouterr().out.startswith("[1] 004_07e1443d25d1940b.txt:")
    assert main(["search", "   ", "--index", str(index)]) == 2
    assert "error: question is blank" in capsys.readouterr().err
