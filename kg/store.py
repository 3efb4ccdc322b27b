"""The built graph on disk: an Oxigraph store for fast SPARQL, and Turtle and TriG exports,
all written atomically (a failed build leaves the previous outputs untouched).

>>> import tempfile, pyoxigraph as ox
>>> out = Path(tempfile.mkdtemp())
>>> q = ox.Quad(ox.NamedNode("http://x/a"), ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label"), ox.Literal("洛阳市"), ox.NamedNode("http://x/g"))
>>> write([q], out)
1
>>> [row["label"].value for row in select(open_store(out), "SELECT ?label WHERE { ?s rdfs:label ?label }")]
['洛阳市']
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path
from typing import Callable, Iterable

import pyoxigraph as ox

STORE_DIR = "store"
TURTLE = "graph.ttl"
NQUADS = "graph.nq"
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
SPARQL_PREFIXES = "".join(f"PREFIX {k}: <{v}>\n" for k, v in PREFIXES.items())


def atomic_write(path: Path, write: Callable[[Path], None]) -> None:
    """Call ``write(tmp)`` for a temporary file next to ``path``, then move it into place."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    os.close(fd)
    try:
        write(Path(tmp))
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write(quads: Iterable[ox.Quad], out_dir: Path, entity_base: str | None = None) -> int:
    """Load ``quads`` into a new on-disk store under ``out_dir``, as one graph (the store's
    default graph, so SPARQL sees each fact once), while streaming them as they come to
    ``graph.nq``, where each article's statements keep their article as graph name; then
    export ``graph.ttl``. Returns the number of triples. The previous outputs are
    replaced only once the new ones are complete."""
    out_dir.mkdir(parents=True, exist_ok=True)
    building = Path(tempfile.mkdtemp(prefix=".store-", dir=out_dir))
    try:
        store = ox.Store(str(building))

        def stream(tmp: Path) -> None:
            with tmp.open("w", encoding="utf-8") as nquads:
                store.bulk_extend(_teed(quads, nquads))

        atomic_write(out_dir / NQUADS, stream)
        store.optimize()
        count = len(store)
        prefixes = dict(PREFIXES, **({"id": entity_base + "id/"} if entity_base else {}))
        atomic_write(out_dir / TURTLE, lambda tmp: store.dump(str(tmp), format=ox.RdfFormat.TURTLE, from_graph=ox.DefaultGraph(), prefixes=prefixes))
        store.flush()
        del store
        _swap_directory(building, out_dir / STORE_DIR)
        return count
    except BaseException:
        shutil.rmtree(building, ignore_errors=True)
        raise


def _teed(quads: Iterable[ox.Quad], nquads) -> Iterable[ox.Quad]:
    """Write each quad to the N-Quads file and pass it on as a default-graph quad."""
    default = ox.DefaultGraph()
    for quad in quads:
        nquads.write(f"{quad} .\n")
        yield ox.Quad(quad.subject, quad.predicate, quad.object, default)


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


def select(store: ox.Store, sparql: str) -> list[dict]:
    """Rows of a SELECT query as dicts of Oxigraph terms; prefixes kg, rdfs, prov… predeclared."""
    results = store.query(SPARQL_PREFIXES + sparql)
    names = [v.value for v in results.variables]
    return [{name: row[name] for name in names} for row in results]
