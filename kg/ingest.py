"""Read article files: find them, check them, decode them.

A bad file never stops a run: :func:`read_pages` yields the good pages and
reports each bad one through ``on_error`` with the file named and the reason. Names
are shown escaped (:func:`display_name`), so a name that is not UTF-8 prints too.

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
import logging
import os
import stat
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable, Iterator

from kg.readers import READERS, Document, Unreadable

#: File name endings read as text; a file without one is read as text too.
TEXT_SUFFIXES = (".txt", ".md", ".markdown", ".text")
#: Every kind of file kg reads: text, and the formats of :mod:`kg.readers`.
SUFFIXES = TEXT_SUFFIXES + tuple(READERS)
log = logging.getLogger("kg")


class InputError(Exception):
    """A file that cannot be read as an article page; the message names the file."""

    def __init__(self, path: Path, reason: str):
        super().__init__(f"{display_name(path)}: {reason}")
        self.path = path
        self.reason = reason


def display_name(path: Path | str) -> str:
    """A path as text that prints and encodes anywhere: bytes that are not UTF-8 and
    characters that are not printable (a newline, a colour code) are shown escaped.

    >>> display_name(os.fsdecode(b"in/bad\\xff.txt")), display_name("in/a\\nb.txt"), display_name("洛阳 2020.txt")
    ('in/bad\\\\xff.txt', 'in/a\\\\nb.txt', '洛阳 2020.txt')
    """
    text = os.fsencode(str(path)).decode("utf-8", "backslashreplace")
    return "".join(ch if ch.isprintable() else ch.encode("unicode_escape").decode("ascii") for ch in text)


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


def find_files(paths: Iterable[Path | str], on_skip: Callable[[InputError], None] | None = None) -> list[Path]:
    """Expand folders into their files, sorted (hidden ones aside); keep files as given.
    Files of kinds kg does not read are listed too, for :func:`read_page` to report.

    A path that does not exist raises :class:`InputError` at once, because
    it is almost always a typing mistake on the command line. In a folder, a symbolic
    link is followed only to a file inside the folders given; a link that leaves them,
    a link to a folder, a loop and a dangling link are skipped, each reported to
    ``on_skip`` (logged without one).
    """
    roots = [Path(raw) for raw in paths]
    inside = [root.resolve() for root in roots if root.is_dir()]
    skip = on_skip or (lambda error: log.warning("skipped %s", error))
    found: list[Path] = []
    for path in roots:
        if path.is_dir():
            found.extend(_walk(path, inside, skip))
        elif path.exists():  # a file named on the command line; read_page says if it is not a regular one
            found.append(path)
        else:
            raise InputError(path, "no such file or folder")
    return found


def _walk(folder: Path, inside: list[Path], skip: Callable[[InputError], None]) -> Iterator[Path]:
    """The files under ``folder``, in name order, without leaving the ``inside`` folders
    nor entering hidden ones (``.git/``); a file that is not a regular one (a FIFO) is
    listed too, for :func:`read_page` to report."""
    try:
        entries = sorted(os.scandir(folder), key=lambda entry: entry.name)
    except OSError as exc:
        skip(InputError(folder, f"cannot read the folder ({exc.strerror})"))
        return
    for entry in entries:
        path = Path(entry.path)
        if entry.name.startswith("."):  # .DS_Store, .git/: files of the system or of tools, not documents
            continue
        if entry.is_symlink():
            problem = _link_problem(path, inside)
            if problem is None:
                yield path
            else:
                skip(InputError(path, problem))
        elif entry.is_dir(follow_symlinks=False):
            yield from _walk(path, inside, skip)
        else:
            yield path


def _link_problem(link: Path, inside: list[Path]) -> str | None:
    """Why a symbolic link is not followed; None for a link to a file inside the input folders."""
    try:
        target = link.resolve(strict=True)
    except FileNotFoundError:
        return f"dangling symbolic link (to {display_name(os.readlink(link))}), skipped"
    except (OSError, RuntimeError):  # RuntimeError: Python before 3.13 on a loop
        return "symbolic link loop, skipped"
    if not any(target.is_relative_to(root) for root in inside):
        return f"symbolic link to {display_name(target)}, outside the input folders: not followed"
    if target.is_dir():
        loop = link.parent.resolve().is_relative_to(target)
        return "symbolic link loop (to a folder above it), not followed" if loop else "symbolic link to a folder, not followed (its files are read where they are)"
    return None


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
    try:
        return _checked(data.decode("utf-8-sig"), path), "utf-8"  # valid UTF-8 is UTF-8, whatever it holds
    except UnicodeDecodeError:
        pass
    try:
        text = data.decode("gb18030")
    except UnicodeDecodeError:
        text = ""
    if text and _looks_like_text(text):
        return text, "gb18030"
    raise InputError(path, "not valid UTF-8 or GB18030/GBK text (wrong encoding or binary)")


def _checked(text: str, path: Path) -> str:
    """``text``, decoded from a Unicode encoding; an error saying what it holds when it
    is not article text."""
    if not _looks_like_text(text):
        raise InputError(path, _unprintable(text))
    return text


def _unprintable_characters(text: str, sample: int = 20000) -> list[str]:
    """The characters of the start of ``text`` that no article holds: controls (but
    line breaks and tabs), unassigned and private-use code points."""
    return [ch for ch in text[:sample] if unicodedata.category(ch) in ("Cc", "Co", "Cn", "Cs") and ch not in "\n\r\t\f\v"]


def _looks_like_text(text: str, sample: int = 20000) -> bool:
    """True when almost all characters are printable (a guard against binary read as GBK)."""
    return not text or len(_unprintable_characters(text, sample)) < 0.01 * min(len(text), sample)


def _unprintable(text: str, sample: int = 20000) -> str:
    """What the unprintable characters of ``text`` are, as a reason to skip it.

    >>> _unprintable("洛阳" * 10 + "\\x1b[0m")
    '4% of its characters are control characters (U+001B), not article text'
    """
    found = _unprintable_characters(text, sample)
    controls = sum(1 for ch in found if unicodedata.category(ch) == "Cc")
    kinds = "control characters" if controls * 2 > len(found) else "unassigned or private-use characters"
    names = ", ".join(f"U+{ord(ch):04X}" for ch in sorted(set(found))[:3])
    return f"{len(found) / min(len(text), sample):.0%} of its characters are {kinds} ({names}), not article text"


def read_bytes(path: Path, max_bytes: int) -> bytes:
    """The bytes of a regular file of at most ``max_bytes``; raises :class:`InputError`
    with the reason. A FIFO put where a file was found is not waited on."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError as exc:
        raise InputError(path, f"cannot read ({exc.strerror})") from exc
    with open(fd, "rb") as file:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise InputError(path, "not a regular file (a FIFO, socket or device), skipped")
        if info.st_size > max_bytes:
            raise InputError(
                path,
                f"{info.st_size / 1e6:.1f} MB is over the {max_bytes / 1e6:.0f} MB limit for one file; "
                "split it into pages or raise [kg] max_file_mb in the config",
            )
        try:
            return file.read()
        except OSError as exc:
            raise InputError(path, f"cannot read ({exc.strerror})") from exc


def read_page(path: Path, max_bytes: int) -> Page:
    """Read and decode one file; raises :class:`InputError` with the reason.

    A web page, PDF or Word file is read by its reader in :mod:`kg.readers`; a file of
    another kind (``.xlsx``, ``.doc``) is not read at all.
    """
    suffix = path.suffix.lower()
    if suffix and suffix not in SUFFIXES:
        raise InputError(path, "old Word format: save it as .docx" if suffix in (".doc", ".wps") else "not a supported format")
    data = read_bytes(path, max_bytes)
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
    for path in find_files(paths, on_error):
        try:
            yield read_page(path, max_bytes)
        except InputError as exc:
            if on_error is None:
                raise
            on_error(exc)
