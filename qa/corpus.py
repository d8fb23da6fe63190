"""Reading the article folder: which files are articles, and how their bytes become text."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from qa.errors import CorpusError
from qa.types import Document

log = logging.getLogger(__name__)

SUFFIXES = frozenset({".txt", ".md"})
_SNIFF_BYTES = 8192


@dataclass(frozen=True, slots=True)
class CorpusFile:
    """An article file found in the folder, before it is decoded."""

    path: Path
    source: str  # relative to the corpus folder, "/"-separated
    sha256: str
    data: bytes


def iter_files(corpus_dir: Path) -> Iterator[Path]:
    """Article files below ``corpus_dir`` in a stable order; hidden files and folders are passed over."""
    for path in sorted(corpus_dir.rglob("*")):
        rel = path.relative_to(corpus_dir)
        if any(part.startswith(".") for part in rel.parts):
            continue
        if path.is_file() and path.suffix.lower() in SUFFIXES:
            yield path


def is_binary(data: bytes) -> bool:
    """Whether a file's first bytes are not text: a NUL byte, or more than 30% of them neither
    UTF-8 nor printable (compressed or random data; a Latin-1 article has a few such bytes)."""
    head = data[:_SNIFF_BYTES]
    if b"\x00" in head:
        return True
    text = head.decode("utf-8", errors="replace")
    odd = sum(1 for c in text if c == "\ufffd" or (c < " " and c not in "\t\n\r\f\v"))
    return odd > 0.3 * len(text)


def scan(corpus_dir: Path) -> tuple[list[CorpusFile], list[str]]:
    """Reads the bytes of every article file. Returns the files and a warning per skipped file.

    Raises ``CorpusError`` when the folder is missing or holds no article file."""
    if not corpus_dir.is_dir():
        raise CorpusError(f"corpus folder {str(corpus_dir)!r} does not exist or is not a folder")
    files: list[CorpusFile] = []
    warnings: list[str] = []
    for path in iter_files(corpus_dir):
        source = path.relative_to(corpus_dir).as_posix()
        try:
            data = path.read_bytes()
        except OSError as exc:
            warnings.append(f"skipped {source}: cannot read it ({exc.strerror or exc})")
            continue
        if is_binary(data):
            warnings.append(f"skipped {source}: it is a binary file, not text")
            continue
        files.append(CorpusFile(path, source, hashlib.sha256(data).hexdigest(), data))
    for warning in warnings:
        log.warning(warning)
    if not files:
        suffixes = ", ".join(sorted(SUFFIXES))
        raise CorpusError(f"corpus folder {str(corpus_dir)!r} holds no readable article ({suffixes} files)")
    return files, warnings


def decode(file: CorpusFile) -> tuple[Document, str | None]:
    """UTF-8 text of the file (a leading BOM dropped); invalid bytes become U+FFFD with a warning."""
    data = file.data.removeprefix(b"\xef\xbb\xbf")
    try:
        text, warning = data.decode("utf-8"), None
    except UnicodeDecodeError as exc:
        text = data.decode("utf-8", errors="replace")
        warning = f"{file.source} is not valid UTF-8 (byte {exc.start}); undecodable bytes were replaced"
        log.warning(warning)
    return Document(file.source, text, file.sha256), warning


def read_corpus(corpus_dir: Path) -> tuple[list[Document], list[str]]:
    """All readable articles of the folder, decoded, with the warnings met on the way."""
    files, warnings = scan(corpus_dir)
    documents = []
    for file in files:
        document, warning = decode(file)
        documents.append(document)
        if warning:
            warnings.append(warning)
    return documents, warnings
