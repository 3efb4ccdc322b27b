"""The folder a build writes into (``kg build -o DIR``): what in it is the build's own,
one build at a time, and what killed builds left behind.

``manifest.json`` records what builds wrote there (``written``): nothing else in the
folder is ever replaced or removed. A folder that holds something but no manifest is not
a kg build: building into it takes ``--force``, and even then a build replaces nothing in
its way. Every output carries the stamp of the build that wrote it (:func:`build_ids`),
so outputs of two builds (one was killed while it put its outputs in place) are told apart.

>>> import tempfile
>>> out = Path(tempfile.mkdtemp())
>>> with locked(out):
...     claim(out, "cache/0123456789abcdef")["written"][:3]
['cache/0123456789abcdef', 'config.cfg', 'graph.html']
>>> json.loads((out / MANIFEST).read_text())["written"][-3:]
['graph.ttl', 'manifest.json', 'store']
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
import re
import shutil
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from kg.ingest import display_name
from kg.store import BUILD_FILE, STORE_DIR, TRIG, TURTLE, atomic_write

log = logging.getLogger("kg")
MANIFEST = "manifest.json"  # what the builds wrote, and the pages of the last one, for the next to compare
VIEW = "graph.html"
CONFIG = "config.cfg"
#: What a build writes at the top of its folder, in the order it puts them in place.
OUTPUTS = (STORE_DIR, TRIG, TURTLE, VIEW, CONFIG, MANIFEST)
LOCK = ".kg-build.lock"  # holds the pid of the build writing the folder
# What a killed build leaves: its temporaries (a dot, an output's name, eight characters
# from tempfile; the view's writer adds a second round), and the store put aside where the
# system cannot swap folders at once.
_LEFTOVER = re.compile(r"\.(?:store-[a-z0-9_]{8}|store-old|(?:graph\.(?:trig|ttl)|config\.cfg|manifest\.json)\.[a-z0-9_]{8}|\.?graph\.html(?:\.[a-z0-9_]{8}){1,2})")
_STAMP = re.compile(rb"kg build ([0-9a-f]{16})")


class FolderError(Exception):
    """A folder a build may not write into; the message says why, in one sentence."""


def stamp(build_id: str) -> str:
    """What every output of a build carries, somewhere in its first lines.

    >>> stamp("0123456789abcdef")
    'kg build 0123456789abcdef'
    """
    return f"kg build {build_id}"


@contextmanager
def locked(out_dir: Path) -> Iterator[None]:
    """Hold the build lock of ``out_dir`` (made if need be) for the block; a
    :class:`FolderError` naming the process that holds it already. The system releases
    the lock of a process that is killed."""
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:  # a file of that name, no permission
        raise FolderError(f"cannot build into {display_name(out_dir)} ({exc.strerror})") from None
    path = out_dir / LOCK
    while True:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 20, 0).decode("ascii", "replace").strip() or "unknown"
            os.close(fd)
            raise FolderError(f"{display_name(out_dir)} is locked by another kg build (pid {holder}): wait for it to end, or build into another folder") from None
        try:
            if os.path.samestat(os.fstat(fd), os.stat(path)):
                break
        except FileNotFoundError:
            pass
        os.close(fd)  # its holder removed it as this process opened it: lock the next one
    os.ftruncate(fd, 0)
    os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
    try:
        yield
    finally:
        path.unlink(missing_ok=True)
        os.close(fd)


def read_manifest(out_dir: Path) -> dict | None:
    """The manifest in ``out_dir``; None when there is none that a kg build wrote."""
    try:
        manifest = json.loads((out_dir / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if isinstance(manifest, dict) and ("written" in manifest or {"fingerprint", "pages"} <= manifest.keys()):
        return manifest
    return None


def claim(out_dir: Path, cache: str, force: bool = False) -> dict:
    """Make ``out_dir`` the build's to write, under the lock (:func:`locked`): check that
    it is a kg build's folder (or empty, or ``force``) and that nothing not written by a
    build is where the outputs go, record the outputs and the extraction ``cache`` (a
    folder under ``out_dir``) in the manifest before they are written, and remove what
    killed builds left. Returns the last build's manifest ({} when there is none) with
    what builds wrote here, this one included (``written``)."""
    manifest = read_manifest(out_dir)
    if manifest is None:
        if not force and any(p.name != LOCK for p in out_dir.iterdir()):
            raise FolderError(f"{display_name(out_dir)} is not empty and holds no kg build (no {MANIFEST}): build into a new or empty folder, or add --force to build beside what is in it")
        manifest = {}
    # Builds before the manifest listed what they wrote wrote the outputs, and their caches are left alone.
    last = set(manifest.get("written", OUTPUTS if manifest else ()))
    in_the_way = [name for name in OUTPUTS if name not in last and os.path.lexists(out_dir / name)]
    if in_the_way:
        names = ", ".join(display_name(out_dir / name) for name in in_the_way)
        raise FolderError(f"{names} {'was' if len(in_the_way) == 1 else 'were'} not written by kg build and {'is' if len(in_the_way) == 1 else 'are'} in the way: move {'it' if len(in_the_way) == 1 else 'them'} elsewhere, or build into another folder")
    written = sorted({*OUTPUTS, cache} | {name for name in last if (out_dir / name).exists()})
    if written != manifest.get("written"):
        manifest = dict(manifest, written=written)
        atomic_write(out_dir / MANIFEST, lambda tmp: tmp.write_text(json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8"))
    remove_leftovers(out_dir)
    return manifest


def abandon(out_dir: Path) -> None:
    """Remove a folder made for a build that wrote nothing in it but its manifest (not
    while another build runs: after its lock)."""
    (out_dir / MANIFEST).unlink(missing_ok=True)
    if not any(out_dir.iterdir()):
        out_dir.rmdir()


def remove_leftovers(out_dir: Path) -> list[str]:
    """Remove the temporaries that killed builds left in ``out_dir`` (not while another
    build runs: hold the lock); the names removed."""
    removed = []
    for path in sorted(out_dir.iterdir()):
        if _LEFTOVER.fullmatch(path.name) and not path.is_symlink():
            shutil.rmtree(path) if path.is_dir() else path.unlink()
            removed.append(path.name)
    if removed:
        log.warning("removed what an interrupted build left in %s: %s", display_name(out_dir), ", ".join(removed))
    return removed


def build_ids(out_dir: Path) -> dict[str, str | None]:
    """The id of the build that wrote each output in ``out_dir`` (None for an output
    without one).

    >>> import tempfile
    >>> out = Path(tempfile.mkdtemp())
    >>> _ = (out / "graph.ttl").write_text("# kg build 0123456789abcdef\\n")
    >>> build_ids(out)
    {'graph.ttl': '0123456789abcdef'}
    """
    ids: dict[str, str | None] = {}
    for name in OUTPUTS:
        path = out_dir / name
        if name == MANIFEST and path.is_file():
            ids[name] = (read_manifest(out_dir) or {}).get("build")
        elif path.is_dir() or path.is_file():
            try:
                with (path / BUILD_FILE if path.is_dir() else path).open("rb") as file:
                    found = _STAMP.search(file.read(4096))
            except OSError:
                found = None
            ids[name] = found.group(1).decode() if found else None
    return ids
