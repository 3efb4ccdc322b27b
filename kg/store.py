"""The built graph on disk: an Oxigraph store for fast SPARQL, and Turtle and TriG exports,
all written atomically (a failed build leaves the previous outputs untouched).

>>> import tempfile
>>> out = Path(tempfile.mkdtemp())
>>> write([(Triples('<http://x/a> <http://www.w3.org/2000/01/rdf-schema#label> "洛阳市" .\\n', "<http://x/g>"), None)], out)[0]
1
>>> [row["label"].value for row in select(open_store(out), "SELECT ?label WHERE { ?s rdfs:label ?label }")]
['洛阳市']
"""

from __future__ import annotations

import hashlib
import os
import queue
import shutil
import tempfile
import threading
from pathlib import Path
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from typing import Any, BinaryIO, Callable, Hashable, Iterable, Iterator

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


@contextmanager
def replacing(path: Path) -> Iterator[Path]:
    """A temporary path next to ``path`` that is moved into its place when the block
    succeeds, and removed when it fails."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    os.close(fd)
    try:
        yield Path(tmp)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def atomic_write(path: Path, write: Callable[[Path], None]) -> None:
    """Call ``write(tmp)`` for a temporary file next to ``path``, then move it into place."""
    with replacing(path) as tmp:
        write(tmp)


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


def write(records: Iterable[tuple[Any, Hashable]], out_dir: Path, prefixes: dict[str, str] = PREFIXES, removed: list[bytes] | None = None, before_moving: Callable[[], Any] | None = None) -> tuple[int, dict]:
    """Write records (anything with ``ntriples`` and ``turtle``, both UTF-8, ``graph`` and
    ``shared_at``, each with a tag, e.g. its page) to ``graph.trig`` (each in its named
    graph), ``graph.ttl`` (one after the other: a fact two articles state appears twice,
    which RDF reads as one) and the store under ``out_dir``, whose default graph holds
    every fact once (a line that another record stated already is not loaded again). Returns
    the number of triples in the store and where each tag's records went in the two
    files: ``{tag: Span}``.

    With ``removed`` (the N-Triples of records gone since the last build), the previous
    store is patched instead of rebuilt, and the records may include :class:`Span`
    items, copied from the last files: the copy of the store loses the removed triples
    that no record still states and gains the records. Otherwise a new store is
    bulk-loaded, on a thread of its own beside whatever produces the records (Oxigraph
    releases the GIL). The previous outputs are replaced only once all the new ones are
    complete, and ``before_moving()`` (say, waiting for another output) has returned."""
    out_dir.mkdir(parents=True, exist_ok=True)
    building = Path(tempfile.mkdtemp(prefix=".store-", dir=out_dir))
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
        with ExitStack() as files:
            trig_path, ttl_path = (files.enter_context(replacing(out_dir / name)) for name in (TRIG, TURTLE))
            trig, turtle = (files.enter_context(path.open("wb")) for path in (trig_path, ttl_path))
            last = [files.enter_context((out_dir / name).open("rb")) for name in (TRIG, TURTLE)] if removed is not None else []
            header = "".join(f"@prefix {name}: <{iri}> .\n" for name, iri in prefixes.items()).encode("utf-8")
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
            for handle in last:
                handle.close()
            trig.close(), turtle.close()
            if before_moving is not None:
                before_moving()
            _swap_directory(building, out_dir / STORE_DIR)
        return count, spans
    except BaseException:
        shutil.rmtree(building, ignore_errors=True)
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
    old = target.with_name(f".{target.name}-old")
    shutil.rmtree(old, ignore_errors=True)
    if target.exists():
        target.rename(old)
    new.rename(target)
    shutil.rmtree(old, ignore_errors=True)


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
