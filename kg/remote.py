"""The graph in a SPARQL server: ``kg push URL`` sends it, ``kg query --endpoint URL`` asks it.

Any SPARQL 1.1 server works: Oxigraph (``oxigraph serve``: store ``/store``, queries
``/query``), Apache Jena Fuseki (``/ds/data``, ``/ds/sparql``), and others.

- Graph Store Protocol (default): the Turtle file is PUT (``--replace``) or POSTed to the
  store URL's default graph, streamed from disk (a fact several articles state is in it
  once per article; the server keeps it once).
- SPARQL Update (``--update``): ``INSERT DATA`` requests of a few thousand triples each,
  for servers without the Graph Store Protocol.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pyoxigraph as ox

from kg.query import QueryError
from kg.store import SPARQL_PREFIXES, TURTLE, open_store


class RemoteError(Exception):
    """A server refused or could not be reached; the message says which and why."""


def _request(req: urllib.request.Request, timeout: float) -> bytes:
    try:
        with urllib.request.urlopen(req, timeout=timeout) as response:
            return response.read()
    except urllib.error.HTTPError as exc:
        detail = exc.read().decode("utf-8", errors="replace").strip()[:500]
        raise RemoteError(f"{req.full_url} answered {exc.code} {exc.reason}: {detail}") from exc
    except urllib.error.URLError as exc:
        raise RemoteError(f"cannot reach {req.full_url}: {exc.reason}") from exc


def _default_graph(url: str) -> str:
    """The store URL addressing the default graph (``?default``) unless a graph is named."""
    parts = urllib.parse.urlsplit(url)
    query = urllib.parse.parse_qs(parts.query, keep_blank_values=True)
    if "graph" in query or "default" in query:
        return url
    return urllib.parse.urlunsplit(parts._replace(query=(parts.query + "&" if parts.query else "") + "default"))


def push(out_dir: Path | str, url: str, replace: bool = False, update: bool = False, batch: int = 5000, timeout: float = 300) -> int:
    """Send the built graph in ``out_dir`` to the server at ``url``; returns the triples sent."""
    turtle = Path(out_dir) / TURTLE
    if not turtle.exists():
        raise FileNotFoundError(f"no graph in {out_dir}: run `kg build` first")
    if update:
        return _push_update(open_store(out_dir), url, replace, batch, timeout)
    size = turtle.stat().st_size
    with turtle.open("rb") as body:
        req = urllib.request.Request(_default_graph(url), data=body, method="PUT" if replace else "POST")
        req.add_header("Content-Type", "text/turtle; charset=utf-8")
        req.add_header("Content-Length", str(size))
        _request(req, timeout)
    return len(open_store(out_dir))


def _push_update(store: ox.Store, url: str, replace: bool, batch: int, timeout: float) -> int:
    def send(text: str) -> None:
        req = urllib.request.Request(url, data=text.encode("utf-8"), method="POST")
        req.add_header("Content-Type", "application/sparql-update; charset=utf-8")
        _request(req, timeout)

    if replace:
        send("CLEAR DEFAULT")
    count, chunk = 0, []
    for quad in store.quads_for_pattern(None, None, None, ox.DefaultGraph()):
        chunk.append(f"{quad.triple} .")
        count += 1
        if len(chunk) == batch:
            send("INSERT DATA {\n" + "\n".join(chunk) + "\n}")
            chunk = []
    if chunk:
        send("INSERT DATA {\n" + "\n".join(chunk) + "\n}")
    return count


def remote_query(sparql: str, endpoint: str, timeout: float = 60) -> tuple[list[str], list[list[str]]]:
    """``(columns, rows)`` of a query sent to a SPARQL endpoint (the kg prefixes added)."""
    req = urllib.request.Request(endpoint, data=(SPARQL_PREFIXES + sparql).encode("utf-8"), method="POST")
    req.add_header("Content-Type", "application/sparql-query; charset=utf-8")
    req.add_header("Accept", "application/sparql-results+json")
    try:
        body = _request(req, timeout)
    except RemoteError as exc:
        if " 400 " in str(exc):
            raise QueryError(f"the endpoint rejected the query: {exc}") from exc
        raise
    result = json.loads(body)
    if "boolean" in result:
        return ["result"], [[str(result["boolean"]).lower()]]
    columns = result["head"]["vars"]
    return columns, [[b.get(c, {}).get("value", "") for c in columns] for b in result["results"]["bindings"]]
