from __future__ import annotations

from pathlib import Path

import pytest

from qa.corpus import read_corpus
from qa.errors import CorpusError


def test_reads_txt_and_md_below_the_folder_with_relative_sources(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    (tmp_path / "a.txt").write_text("Alpha.", encoding="utf-8")
    (tmp_path / "sub" / "b.md").write_text("# Beta\nBody.", encoding="utf-8")
    (tmp_path / "notes.csv").write_text("x,y", encoding="utf-8")
    (tmp_path / ".hidden.txt").write_text("secret", encoding="utf-8")
    documents, warnings = read_corpus(tmp_path)
    assert [(d.source, d.text) for d in documents] == [("a.txt", "Alpha."), ("sub/b.md", "# Beta\nBody.")]
    assert warnings == []


def test_binary_file_is_skipped_with_a_warning_naming_it(tmp_path: Path) -> None:
    (tmp_path / "good.txt").write_text("Fine.", encoding="utf-8")
    (tmp_path / "image.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    documents, warnings = read_corpus(tmp_path)
    assert [d.source for d in documents] == ["good.txt"]
    assert warnings == ["skipped image.txt: it is a binary file, not text"]


def test_binary_data_without_nul_bytes_is_skipped_too(tmp_path: Path) -> None:
    (tmp_path / "good.txt").write_text("Fine.", encoding="utf-8")
    (tmp_path / "random.txt").write_bytes(bytes(range(128, 256)) * 4 + b"\x01\x02\x03")
    documents, warnings = read_corpus(tmp_path)
    assert [d.source for d in documents] == ["good.txt"]
    assert warnings == ["skipped random.txt: it is a binary file, not text"]


def test_non_utf8_file_is_decoded_with_replacement_and_a_warning(tmp_path: Path) -> None:
    (tmp_path / "latin1.txt").write_bytes("Café in Karachi.".encode("latin-1"))
    documents, warnings = read_corpus(tmp_path)
    assert documents[0].text == "Caf\ufffd in Karachi."
    assert warnings == ["latin1.txt is not valid UTF-8 (byte 3); undecodable bytes were replaced"]


def test_empty_folder_is_a_corpus_error(tmp_path: Path) -> None:
    with pytest.raises(CorpusError, match="holds no readable article"):
        read_corpus(tmp_path)


def test_folder_of_only_binary_files_is_a_corpus_error(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_bytes(b"\x00\x01\x02")
    with pytest.raises(CorpusError, match="holds no readable article"):
        read_corpus(tmp_path)


def test_missing_folder_is_a_corpus_error(tmp_path: Path) -> None:
    with pytest.raises(CorpusError, match="does not exist"):
        read_corpus(tmp_path / "nope")
