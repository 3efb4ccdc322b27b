"""The built graph on disk: an Oxigraph store for fast SPARQL, and Turtle and TriG exports.

Outputs are first written beside their places (:func:`stage`, :func:`stage_file`), then
moved there one by one, each in a single step (:func:`publish`): a failed build leaves
the previous outputs untouched, and a killed one leaves each output whole.

>>> import tempfile
>>> out = Path(tempfile.mkdtemp())
>>> write([(Triples('<http://x/a> <http://www.w3.org/2000/01/rdf-schema#label> "洛阳市" .\\n', "<http://x/g>"), None)], out)[0]
1
>>> [row["label"].value for row in select(open_store(out), "SELECT ?label WHERE { ?s rdfs:label ?label }")]
['洛阳市']
"""

from __future__ import annotations

import ctypes
import errno
import hashlib
import os
import queue
import shutil
import tempfile
import threading
from pathlib import Path
from contextlib import ExitStack
from dataclasses import dataclass
from typing import Any, BinaryIO, Callable, Hashable, Iterable

import pyoxigraph as ox

STORE_DIR = "store"
TURTLE = "graph.ttl"
TRIG = "graph.trig"
PREFIXES = {
    "kg": "https://example.org/kg/ontology#",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "prov": "http://www.w3.org/ns/prov#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "dcterms": "http://purl.org/dc/terms/",
}
LOAD_CHUNK = 32_000_000  # bytes of N-Triples per load: a few big loads cost less than many small ones
SPARQL_PREFIXES = "".join(f"PREFIX {k}: <{v}>\n" for k, v in PREFIXES.items())
BUILD_FILE = "kg-build"  # in the store's folder: the stamp of the build that wrote it
#: For the tests of killed builds: set to a point of :func:`publish` ("before store",
#: "store swapped", "before graph.ttl", ..., "published"), the process exits there at
#: once (``os._exit(CRASHED)``), as if killed.
CRASH_AT = "KG_CRASH_AT"
CRASHED = 75
Moves = list[tuple[Path, Path]]  # (staged output, its place), in the order they are published


def _temporary(path: Path) -> Path:
    """A new empty file next to ``path``, hidden and named after it (``.graph.ttl.k2j3h4g5``)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    os.close(fd)
    os.chmod(tmp, 0o644)
    return Path(tmp)


def atomic_write(path: Path, write: Callable[[Path], None]) -> None:
    """Call ``write(tmp)`` for a temporary file next to ``path``, then move it into place."""
    os.replace(*stage_file(path, write))


def stage_file(path: Path, write: Callable[[Path], None]) -> tuple[Path, Path]:
    """Call ``write(tmp)`` for a temporary file next to ``path``; the move that
    :func:`publish` makes to put it in place."""
    tmp = _temporary(path)
    try:
        write(tmp)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return tmp, path


def publish(moves: Moves) -> None:
    """Move staged outputs into their places, in order, each in one step: a file by
    replacing the one there, a folder by swapping it with the one there (the store is
    never missing; where the system cannot swap, there is a moment between two renames).
    Killed midway, every output is whole: some are the last build's, some this one's,
    and the stamps they carry tell which.

    >>> import tempfile
    >>> out = Path(tempfile.mkdtemp())
    >>> publish([stage_file(out / "a.txt", lambda tmp: tmp.write_text("new"))])
    >>> [p.name for p in out.iterdir()], (out / "a.txt").read_text()
    (['a.txt'], 'new')
    """
    for staged, place in moves:
        _crash_point(f"before {place.name}")
        if staged.is_dir():
            _swap_directory(staged, place)
        else:
            os.replace(staged, place)
    _crash_point("published")


def discard(moves: Moves) -> None:
    """Remove the staged outputs that were not published."""
    for staged, _ in moves:
        if staged.is_dir():
            shutil.rmtree(staged, ignore_errors=True)
        else:
            staged.unlink(missing_ok=True)


def _crash_point(point: str) -> None:
    if os.environ.get(CRASH_AT) == point:
        os._exit(CRASHED)


@dataclass
class Triples:
    """Triples to :func:`write` that are not a build's records: N-Triples text (valid
    Turtle too), in the default graph unless ``graph`` (an IRI in brackets) is given."""

    text: str
    graph: str | None = None
    shared_at = 0  # any line may be one another record states too (see :attr:`kg.graph.ArticleRecord.shared_at`)

    @property
    def ntriples(self) -> bytes:
        return self.text.encode("utf-8")

    turtle = ntriples


def line_digest(line: bytes) -> str:
    """A short, stable digest of one N-Triples line (UTF-8).

    >>> line_digest('<http://x/a> <http://x/p> "洛阳市" .'.encode())
    '4ecf24c04bb058c9'
    """
    return hashlib.blake2b(line, digest_size=8).hexdigest()


@dataclass
class Span:
    """A page unchanged since the last build, written by copying its bytes from the last
    ``graph.trig`` and ``graph.ttl`` (``[start, end)`` offsets), with the digests of the
    lines it shares with other articles (:attr:`kg.graph.ArticleRecord.shared`)."""

    trig: tuple[int, int]
    turtle: tuple[int, int]
    shared: set[str]


def write(records: Iterable[tuple[Any, Hashable]], out_dir: Path, prefixes: dict[str, str] = PREFIXES) -> tuple[int, dict]:
    """Write records to the store, ``graph.trig`` and ``graph.ttl`` under ``out_dir``
    (see :func:`stage`) and put them in place; the number of triples and the spans."""
    count, spans, moves = stage(records, out_dir, prefixes)
    publish(moves)
    return count, spans


def stage(records: Iterable[tuple[Any, Hashable]], out_dir: Path, prefixes: dict[str, str] = PREFIXES, removed: list[bytes] | None = None, stamp: str | None = None) -> tuple[int, dict, Moves]:
    """Write records (anything with ``ntriples`` and ``turtle``, both UTF-8, ``graph`` and
    ``shared_at``, each with a tag, e.g. its page) to ``graph.trig`` (each in its named
    graph), ``graph.ttl`` (one after the other: a fact two articles state appears twice,
    which RDF reads as one) and the store under ``out_dir``, whose default graph holds
    every fact once (a line that another record stated already is not loaded again), all
    three beside their places: nothing in ``out_dir`` changes. Returns the number of
    triples in the store, where each tag's records went in the two files (``{tag:
    Span}``) and the moves that :func:`publish` them. With a ``stamp`` (``kg build
    0123456789abcdef``), each carries it: the files in a comment on their first line,
    the store in its file ``kg-build``.

    With ``removed`` (the N-Triples of records gone since the last build), the previous
    store is patched instead of rebuilt, and the records may include :class:`Span`
    items, copied from the last files: the copy of the store loses the removed triples
    that no record still states and gains the records. Otherwise a new store is
    bulk-loaded, on a thread of its own beside whatever produces the records (Oxigraph
    releases the GIL)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    building = Path(tempfile.mkdtemp(prefix=".store-", dir=out_dir))
    moves: Moves = [(building, out_dir / STORE_DIR)]
    spans: dict = {}
    try:
        if removed is not None:
            shutil.rmtree(building)
            shutil.copytree(out_dir / STORE_DIR, building, copy_function=_link_tables)
        store = ox.Store(str(building))
        load = store.bulk_load if removed is None else store.load
        gone = {line for text in removed or () for line in text.splitlines()}
        # Every line of ``removed`` is in the last store (the same pipeline wrote it), so a
        # record that restates one, like the whole region hierarchy, need not load it again.
        held = {line + b"\n" for line in gone}
        still_stated: set[str] = set()  # digests of lines that unchanged pages state
        loaded: set[bytes] = set()  # lines that more than one record may state, once loaded
        for name in (TRIG, TURTLE):
            moves.append((_temporary(out_dir / name), out_dir / name))
        with ExitStack() as files:
            trig, turtle = (files.enter_context(path.open("wb")) for path, _ in moves[1:])
            last = [files.enter_context((out_dir / name).open("rb")) for name in (TRIG, TURTLE)] if removed is not None else []
            header = (f"# {stamp}\n" if stamp else "") + "".join(f"@prefix {name}: <{iri}> .\n" for name, iri in prefixes.items())
            header = header.encode("utf-8")
            trig.write(header), turtle.write(header)
            # lenient: the lines come from Oxigraph's own serializer, so their IRIs need no second check
            with Background(lambda data: load(data, format=ox.RdfFormat.N_TRIPLES, lenient=True), depth=2) as loader:
                buffer: list[bytes] = []
                size = 0
                for record, tag in records:
                    starts = trig.tell(), turtle.tell()
                    if isinstance(record, Span):
                        _copy(last[0], trig, *record.trig)
                        _copy(last[1], turtle, *record.turtle)
                        still_stated |= record.shared
                    else:
                        trig.write(in_graph(record.turtle, record.graph))
                        turtle.write(record.turtle)
                        if gone:
                            gone.difference_update(record.ntriples.splitlines())
                        new = _unloaded(record.ntriples, record.shared_at, loaded)
                        if held:
                            new = b"".join(line for line in new.splitlines(keepends=True) if line not in held)
                        buffer.append(new)
                        size += len(new)
                    if tag is not None:
                        first = spans.get(tag)
                        spans[tag] = Span((first.trig[0] if first else starts[0], trig.tell()), (first.turtle[0] if first else starts[1], turtle.tell()), set())
                    if size > LOAD_CHUNK:
                        loader.put(b"".join(buffer))
                        buffer, size = [], 0
                if buffer:
                    loader.put(b"".join(buffer))
            gone = {line for line in gone if line_digest(line) not in still_stated}
            for triple in ox.parse(b"\n".join(gone), format=ox.RdfFormat.N_TRIPLES):
                store.remove(ox.Quad(triple.subject, triple.predicate, triple.object))
            if removed is None:
                store.optimize()  # compacts the bulk-loaded files: queries then run about twice as fast
            count = len(store)
            store.flush()
            del store, load  # closes the store (the bound method holds it too) before it moves
            if stamp:
                (building / BUILD_FILE).write_text(stamp + "\n", encoding="utf-8")
        return count, spans, moves
    except BaseException:
        discard(moves)
        raise


def _link_tables(source: str, target: str) -> str:
    """Copy a store's file for a patched copy of the store, but link its tables: RocksDB
    never changes a ``.sst`` file once written (the last build's store of 140 MB at 64x
    is then copied in milliseconds)."""
    if source.endswith(".sst"):
        try:
            os.link(source, target)
            return target
        except OSError:  # no hard links on this file system
            pass
    return shutil.copy2(source, target)


def _copy(source: BinaryIO, target: BinaryIO, start: int, end: int) -> None:
    """Append bytes ``[start, end)`` of ``source`` to ``target``."""
    target.flush()
    while start < end:
        try:
            copied = os.copy_file_range(source.fileno(), target.fileno(), end - start, start)
        except (AttributeError, OSError):  # no copy_file_range here: through memory
            source.seek(start)
            copied = target.write(source.read(min(end - start, 1 << 24)))
        if copied <= 0:
            raise OSError(f"{source.name} ended before byte {end}: the last build's files changed")
        start += copied
    if target.tell() != os.fstat(target.fileno()).st_size:  # copy_file_range moved the file, not the object
        target.seek(0, os.SEEK_END)


class Background:
    """Run ``work(item)`` for each ``put`` item on one thread, in order; leaving the
    ``with`` block waits for it and raises what it raised."""

    def __init__(self, work: Callable, depth: int = 1):
        self.work = work
        self.queue: queue.Queue = queue.Queue(maxsize=depth)
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> "Background":
        self.thread.start()
        return self

    def put(self, item) -> None:
        if self.error is not None:
            raise self.error
        self.queue.put(item)

    def _run(self) -> None:
        while True:
            item = self.queue.get()
            if item is _DONE:
                return
            if self.error is None:
                try:
                    self.work(item)
                except BaseException as exc:  # reported to the caller on exit
                    self.error = exc

    def __exit__(self, *exc_info) -> None:
        self.queue.put(_DONE)
        self.thread.join()
        if self.error is not None and exc_info[0] is None:
            raise self.error


_DONE = object()


def in_graph(turtle: bytes, graph: str | None) -> bytes:
    """Turtle statements as a TriG block of ``graph`` (an IRI in brackets); in the
    default graph, as they are.

    >>> in_graph(b'<a> <b> "c" .\\n', "<g>")
    b'<g> {\\n<a> <b> "c" .\\n}\\n'
    """
    return turtle if graph is None else graph.encode("utf-8") + b" {\n" + turtle + b"}\n"


def _unloaded(ntriples: bytes, shared_at: int, loaded: set[bytes]) -> bytes:
    """A record's N-Triples without the lines past ``shared_at`` (those another record
    may state too) that are in ``loaded``, which gains the rest: a fact forty articles
    state is parsed once.

    >>> loaded = set()
    >>> _unloaded(b"<m> <p> 1 .\\n<e> <p> 2 .\\n", 12, loaded), _unloaded(b"<n> <p> 1 .\\n<e> <p> 2 .\\n", 12, loaded)
    (b'<m> <p> 1 .\\n<e> <p> 2 .\\n', b'<n> <p> 1 .\\n')
    """
    kept = [ntriples[:shared_at]]
    for line in ntriples[shared_at:].splitlines(keepends=True):
        if line not in loaded:
            loaded.add(line)
            kept.append(line)
    return b"".join(kept)


def _swap_directory(new: Path, target: Path) -> None:
    """Put the folder ``new`` in ``target``'s place, and remove the one that was there."""
    if not target.exists():
        new.rename(target)
    elif _exchange(new, target):  # ``new`` is now the old folder
        _crash_point(f"{target.name} swapped")
        shutil.rmtree(new)
    else:
        old = target.with_name(f".{target.name}-old")
        shutil.rmtree(old, ignore_errors=True)
        target.rename(old)
        new.rename(target)
        shutil.rmtree(old, ignore_errors=True)


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths in one step, where the system can (Linux's ``renameat2`` with
    ``RENAME_EXCHANGE``); False where it cannot."""
    try:
        renameat2 = ctypes.CDLL(None, use_errno=True).renameat2
    except (OSError, AttributeError):  # not Linux, or a C library without it
        return False
    renameat2.argtypes = (ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint)
    at_cwd, rename_exchange = -100, 2  # from <fcntl.h> and <linux/fs.h>
    if renameat2(at_cwd, os.fsencode(a), at_cwd, os.fsencode(b), rename_exchange) == 0:
        return True
    error = ctypes.get_errno()
    if error in (errno.ENOSYS, errno.EINVAL, errno.EOPNOTSUPP):  # this kernel or file system cannot
        return False
    raise OSError(error, os.strerror(error), str(b))


def open_store(out_dir: Path | str) -> ox.Store:
    """The built store under ``out_dir``, read-only; a clear error when there is none."""
    path = Path(out_dir) / STORE_DIR
    if not path.is_dir():
        raise FileNotFoundError(f"no graph in {out_dir}: run `kg build` first (or give the folder it wrote to)")
    return ox.Store.read_only(str(path))


def rdflib_graph(out_dir: Path | str = "output", in_memory: bool = True):
    """The built graph as an rdflib Graph: parsed into memory (rdflib's own engine), or
    over the on-disk Oxigraph store through oxrdflib, which answers SPARQL in Oxigraph.

    >>> import tempfile
    >>> out = Path(tempfile.mkdtemp())
    >>> _ = write([(Triples('<http://x/a> <http://www.w3.org/2000/01/rdf-schema#label> "嵩县" .\\n'), None)], out)
    >>> [str(r[0]) for r in rdflib_graph(out).query("SELECT ?l WHERE { ?s rdfs:label ?l }")]
    ['嵩县']
    >>> [str(r[0]) for r in rdflib_graph(out, in_memory=False).query("SELECT ?l WHERE { ?s rdfs:label ?l }")]
    ['嵩县']
    """
    import rdflib

    out_dir = Path(out_dir)
    if in_memory:
        if not (out_dir / TURTLE).exists():
            raise FileNotFoundError(f"no graph in {out_dir}: run `kg build` first")
        graph = rdflib.Graph().parse(out_dir / TURTLE)
    else:
        if not (out_dir / STORE_DIR).is_dir():
            raise FileNotFoundError(f"no graph in {out_dir}: run `kg build` first")
        from rdflib.graph import DATASET_DEFAULT_GRAPH_ID

        # oxrdflib opens the store for writing (one process at a time, not beside kg serve).
        graph = rdflib.Graph(store="Oxigraph", identifier=DATASET_DEFAULT_GRAPH_ID)
        graph.open(str(out_dir / STORE_DIR), create=False)
    for prefix, namespace in PREFIXES.items():
        graph.bind(prefix, namespace)
    return graph


def select(store: ox.Store, sparql: str) -> list[dict]:
    """Rows of a SELECT query as dicts of Oxigraph terms; prefixes kg, rdfs, prov… predeclared."""
    results = store.query(SPARQL_PREFIXES + sparql)
    names = [v.value for v in results.variables]
    return [{name: row[name] for name in names} for row in results]
