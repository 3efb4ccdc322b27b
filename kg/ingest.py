"""Read article files: find them, check them, decode them.

A bad file never stops a run: :func:`read_pages` yields the good pages and
reports each bad one through ``on_error`` with the file named and the reason.

>>> import tempfile, pathlib
>>> folder = pathlib.Path(tempfile.mkdtemp())
>>> _ = (folder / "gbk.txt").write_bytes("洛阳市卫生健康委".encode("gbk"))
>>> _ = (folder / "empty.txt").write_bytes(b"")
>>> errors = []
>>> [(p.path.name, p.encoding, p.text) for p in read_pages([folder], on_error=errors.append)]
[('gbk.txt', 'gb18030', '洛阳市卫生健康委')]
>>> [str(e) for e in errors]  # doctest: +ELLIPSIS
['.../empty.txt: empty file, skipped']
"""

from __future__ import annotations

import hashlib
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable, Iterator

from kg.readers import READERS, Document, Unreadable

#: File name endings read as text; a file without one is read as text too.
TEXT_SUFFIXES = (".txt", ".md", ".markdown", ".text")
#: Every kind of file kg reads: text, and the formats of :mod:`kg.readers`.
SUFFIXES = TEXT_SUFFIXES + tuple(READERS)


class InputError(Exception):
    """A file that cannot be read as an article page; the message names the file."""

    def __init__(self, path: Path, reason: str):
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason


@dataclass(frozen=True)
class Page:
    """One input file, decoded: ``encoding`` is how (a text encoding, or the format
    read: html, pdf, docx); ``document`` the metadata of a web page, PDF or Word file."""

    path: Path
    text: str
    encoding: str
    document: Document | None = None

    @property
    def sha1(self) -> str:
        """Content hash of the decoded text, used for incremental builds."""
        return hashlib.sha1(self.text.encode("utf-8")).hexdigest()


def find_files(paths: Iterable[Path | str]) -> list[Path]:
    """Expand folders into their files, sorted (hidden ones aside); keep files as given.
    Files of kinds kg does not read are listed too, for :func:`read_page` to report.

    A path that does not exist raises :class:`InputError` at once, because
    it is almost always a typing mistake on the command line.
    """
    found: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found.extend(sorted(p for p in path.rglob("*") if p.is_file() and not _hidden(p.relative_to(path))))
        elif path.is_file():
            found.append(path)
        else:
            raise InputError(path, "no such file or folder")
    return found


def _hidden(relative: Path) -> bool:
    """``.DS_Store``, ``.git/…``: files of the system or of tools, not documents."""
    return any(part.startswith(".") for part in relative.parts)


def decode(data: bytes, path: Path) -> tuple[str, str]:
    """Decode bytes as UTF-8 (with or without BOM), UTF-16 with BOM, or GB18030/GBK.

    Returns ``(text, encoding)``; raises :class:`InputError` for binary data or
    text no candidate encoding reads cleanly.

    >>> decode("卫生院".encode("utf-8"), Path("a.txt"))
    ('卫生院', 'utf-8')
    >>> decode(b"\\x89PNG\\r\\n\\x1a\\n\\x00\\x00", Path("b.txt"))
    Traceback (most recent call last):
    ...
    kg.ingest.InputError: b.txt: binary data (NUL bytes), not a text file
    """
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return _checked(data.decode("utf-16"), path), "utf-16"
    if b"\x00" in data[:65536]:
        raise InputError(path, "binary data (NUL bytes), not a text file")
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if _looks_like_text(text):
            return text, "utf-8" if encoding == "utf-8-sig" else encoding
    raise InputError(path, "not valid UTF-8 or GB18030/GBK text (wrong encoding or binary)")


def _checked(text: str, path: Path) -> str:
    if not _looks_like_text(text):
        raise InputError(path, "decoded text is mostly control characters")
    return text


def _looks_like_text(text: str, sample: int = 20000) -> bool:
    """True when almost all characters are printable (a guard against binary read as GBK)."""
    head = text[:sample]
    if not head:
        return True
    bad = sum(1 for ch in head if unicodedata.category(ch) in ("Cc", "Co", "Cn", "Cs") and ch not in "\n\r\t\f")
    return bad / len(head) < 0.01


def read_page(path: Path, max_bytes: int) -> Page:
    """Read and decode one file; raises :class:`InputError` with the reason.

    A web page, PDF or Word file is read by its reader in :mod:`kg.readers`; a file of
    another kind (``.xlsx``, ``.doc``) is not read at all.
    """
    suffix = path.suffix.lower()
    if suffix and suffix not in SUFFIXES:
        raise InputError(path, "old Word format: save it as .docx" if suffix in (".doc", ".wps") else "not a supported format")
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise InputError(path, f"cannot read ({exc.strerror})") from exc
    if size > max_bytes:
        raise InputError(
            path,
            f"{size / 1e6:.1f} MB is over the {max_bytes / 1e6:.0f} MB limit for one file; "
            "split it into pages or raise [kg] max_file_mb in the config",
        )
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(path, f"cannot read ({exc.strerror})") from exc
    if suffix in READERS:
        if not data.strip():
            raise InputError(path, "empty file, skipped")
        try:
            document = READERS[suffix](data)
        except Unreadable as exc:
            raise InputError(path, exc.reason) from exc
        return Page(path=path, text=document.text, encoding="html" if suffix == ".htm" else suffix[1:], document=document)
    text, encoding = decode(data, path)
    if not text.strip():
        raise InputError(path, "empty file, skipped")
    return Page(path=path, text=text, encoding=encoding)


def read_pages(
    paths: Iterable[Path | str],
    max_bytes: int = 20_000_000,
    on_error: Callable[[InputError], None] | None = None,
) -> Iterator[Page]:
    """Yield every readable page under ``paths``; report the others to ``on_error``."""
    for path in find_files(paths):
        try:
            yield read_page(path, max_bytes)
        except InputError as exc:
            if on_error is None:
                raise
            on_error(exc)
