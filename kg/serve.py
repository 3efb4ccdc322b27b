"""``kg serve``: the built graph over HTTP.

``/sparql``  the SPARQL 1.1 Protocol (GET and POST), read-only: results as SPARQL JSON,
             XML, CSV or TSV (graphs as Turtle or N-Triples) by content negotiation; updates
             get 403, syntax errors 400 with the parser's message, a query over the time
             limit 503, and results stop at the row limit (header ``X-Result-Truncated``).
``/``        the explorer page; ``/api/*`` the JSON it reads.

Queries run on worker threads (Oxigraph releases the GIL while it evaluates), at most
``workers`` at a time; a query that runs past the limit is answered with 503 and left to
finish on its own thread.
"""

from __future__ import annotations

import json
import logging
import re
import threading
from concurrent.futures import ThreadPoolExecutor, TimeoutError
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlparse
from xml.sax.saxutils import escape

import pyoxigraph as ox

from kg.query import _syntax_message
from kg.store import SPARQL_PREFIXES, open_store

log = logging.getLogger("kg")

_UPDATE = re.compile(r"^\s*(?:(?:PREFIX\s+\S*\s*<[^>]*>|BASE\s*<[^>]*>)\s*)*(INSERT|DELETE|LOAD|CLEAR|DROP|CREATE|ADD|MOVE|COPY|WITH)\b", re.I)
RESULT_TYPES = {
    "application/sparql-results+json": "json",
    "application/json": "json",
    "application/sparql-results+xml": "xml",
    "application/xml": "xml",
    "text/csv": "csv",
    "text/tab-separated-values": "tsv",
}
GRAPH_TYPES = {"text/turtle": ox.RdfFormat.TURTLE, "application/n-triples": ox.RdfFormat.N_TRIPLES, "application/rdf+xml": ox.RdfFormat.RDF_XML}


class QueryTimeout(Exception):
    pass


class Endpoint:
    """The store and the rules for running queries on it."""

    def __init__(self, store: ox.Store, timeout: float = 10.0, max_rows: int = 10_000, workers: int = 4):
        self.store = store
        self.timeout = timeout
        self.max_rows = max_rows
        self.pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="sparql")
        self.slots = threading.BoundedSemaphore(workers)

    def run(self, sparql: str) -> tuple[str, object]:
        """``(kind, payload)``: kind is "select" (columns, rows, truncated), "ask" (bool)
        or "graph" (triples, truncated). Raises SyntaxError, QueryTimeout."""
        if not self.slots.acquire(timeout=self.timeout):
            raise QueryTimeout("all query workers are busy; try again shortly")

        def evaluate():
            try:
                results = self.store.query(SPARQL_PREFIXES + sparql)
                if isinstance(results, ox.QueryBoolean):
                    return "ask", bool(results)
                if isinstance(results, ox.QueryTriples):
                    triples = []
                    for triple in results:
                        if len(triples) == self.max_rows:
                            return "graph", (triples, True)
                        triples.append(triple)
                    return "graph", (triples, False)
                columns = [v.value for v in results.variables]
                rows = []
                for solution in results:
                    if len(rows) == self.max_rows:
                        return "select", (columns, rows, True)
                    rows.append([solution[c] for c in columns])
                return "select", (columns, rows, False)
            finally:
                self.slots.release()

        future = self.pool.submit(evaluate)
        try:
            return future.result(timeout=self.timeout)
        except TimeoutError as exc:
            raise QueryTimeout(f"the query ran longer than the {self.timeout:g} s limit") from exc


# ---- result serialisation -----------------------------------------------------------


def _json_term(term) -> dict:
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    out = {"type": "literal", "value": term.value}
    if term.language:
        out["xml:lang"] = term.language
    elif term.datatype and term.datatype.value != "http://www.w3.org/2001/XMLSchema#string":
        out["datatype"] = term.datatype.value
    return out


def serialise(kind: str, payload, fmt: str) -> bytes:
    """A SELECT/ASK result in SPARQL JSON, XML, CSV or TSV."""
    if kind == "ask":
        if fmt == "xml":
            return f'<?xml version="1.0"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#"><head/><boolean>{str(payload).lower()}</boolean></sparql>\n'.encode()
        if fmt in ("csv", "tsv"):
            return f"{'_askResult' if fmt == 'csv' else '?_askResult'}\n{str(payload).lower()}\n".encode()
        return json.dumps({"head": {}, "boolean": payload}).encode()
    columns, rows, _ = payload
    if fmt == "json":
        bindings = [{c: _json_term(t) for c, t in zip(columns, row) if t is not None} for row in rows]
        return json.dumps({"head": {"vars": columns}, "results": {"bindings": bindings}}, ensure_ascii=False).encode("utf-8")
    if fmt == "xml":
        parts = ['<?xml version="1.0"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#"><head>']
        parts += [f'<variable name="{escape(c)}"/>' for c in columns]
        parts.append("</head><results>")
        for row in rows:
            parts.append("<result>")
            for c, t in zip(columns, row):
                if t is None:
                    continue
                j = _json_term(t)
                kind_ = {"uri": "uri", "bnode": "bnode"}.get(j["type"], "literal")
                attrs = f' xml:lang="{escape(j["xml:lang"])}"' if "xml:lang" in j else f' datatype="{escape(j["datatype"])}"' if "datatype" in j else ""
                parts.append(f'<binding name="{escape(c)}"><{kind_}{attrs}>{escape(j["value"])}</{kind_}></binding>')
            parts.append("</result>")
        parts.append("</results></sparql>\n")
        return "".join(parts).encode("utf-8")
    if fmt == "csv":
        import csv
        import io

        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\r\n")
        writer.writerow(columns)
        writer.writerows([["" if t is None else t.value for t in row] for row in rows])
        return buffer.getvalue().encode("utf-8")
    lines = ["\t".join("?" + c for c in columns)] + ["\t".join("" if t is None else str(t) for t in row) for row in rows]
    return ("\n".join(lines) + "\n").encode("utf-8")


def negotiate(accept: str, kind: str, requested: str | None = None) -> tuple[str, str]:
    """``(content type, format)`` for a result of ``kind`` given an Accept header (or a
    ``format`` parameter, which wins)."""
    if kind == "graph":
        for mime in [m.split(";")[0].strip() for m in (requested or accept or "").split(",")]:
            if mime in GRAPH_TYPES:
                return mime, mime
        return "text/turtle", "text/turtle"
    by_name = {"json": "application/sparql-results+json", "xml": "application/sparql-results+xml", "csv": "text/csv", "tsv": "text/tab-separated-values"}
    if requested in by_name:
        return by_name[requested], requested
    for mime in [m.split(";")[0].strip() for m in (accept or "").split(",")]:
        if mime in RESULT_TYPES:
            return mime, RESULT_TYPES[mime]
    return "application/sparql-results+json", "json"


# ---- HTTP ---------------------------------------------------------------------------------


def make_handler(endpoint: Endpoint, explorer: "Explorer"):
    class Handler(BaseHTTPRequestHandler):
        server_version = "kg-serve"

        def log_message(self, fmt, *args):  # quiet by default; -v shows requests
            log.info("%s %s", self.address_string(), fmt % args)

        def _send(self, status: int, body: bytes, content_type: str, headers: dict | None = None) -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Access-Control-Allow-Origin", "*")
            self.send_header("X-Content-Type-Options", "nosniff")
            for k, v in (headers or {}).items():
                self.send_header(k, v)
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)

        def _error(self, status: int, message: str) -> None:
            self._send(status, (message + "\n").encode("utf-8"), "text/plain; charset=utf-8")

        def _json(self, value, status: int = 200) -> None:
            self._send(status, json.dumps(value, ensure_ascii=False).encode("utf-8"), "application/json; charset=utf-8")

        def do_GET(self) -> None:  # noqa: N802
            url = urlparse(self.path)
            params = {k: v[-1] for k, v in parse_qs(url.query).items()}
            if url.path in ("/", "/index.html"):
                return self._send(200, explorer.page(), "text/html; charset=utf-8")
            if url.path == "/favicon.ico":
                return self._send(204, b"", "image/x-icon")
            if url.path == "/sparql":
                if "update" in params:
                    return self._error(403, "This endpoint is read-only: SPARQL Update is not accepted.")
                if "query" not in params:
                    return self._error(400, "Give a query: /sparql?query=SELECT ...")
                return self._query(params["query"], params.get("format"))
            if url.path.startswith("/api/"):
                try:
                    return self._json(explorer.api(url.path[5:], params))
                except KeyError as exc:
                    return self._error(404, str(exc))
                except ValueError as exc:
                    return self._error(400, str(exc))
            return self._error(404, f"Nothing at {url.path}: try /, /sparql")

        do_HEAD = do_GET

        def do_POST(self) -> None:  # noqa: N802
            url = urlparse(self.path)
            if url.path != "/sparql":
                return self._error(404, f"Nothing to POST to at {url.path}")
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length).decode("utf-8", errors="replace")
            content_type = (self.headers.get("Content-Type") or "").split(";")[0].strip()
            if content_type == "application/sparql-update":
                return self._error(403, "This endpoint is read-only: SPARQL Update is not accepted.")
            if content_type == "application/sparql-query":
                return self._query(body, parse_qs(url.query).get("format", [None])[-1])
            params = {k: v[-1] for k, v in parse_qs(body).items()}
            if "update" in params:
                return self._error(403, "This endpoint is read-only: SPARQL Update is not accepted.")
            if "query" not in params:
                return self._error(400, "POST a form with a query field, or a body of type application/sparql-query.")
            return self._query(params["query"], params.get("format"))

        def _query(self, sparql: str, requested: str | None) -> None:
            if _UPDATE.match(sparql):
                return self._error(403, "This endpoint is read-only: SPARQL Update is not accepted.")
            try:
                kind, payload = endpoint.run(sparql)
            except SyntaxError as exc:
                return self._error(400, _syntax_message(str(exc)))
            except QueryTimeout as exc:
                return self._error(503, str(exc))
            except OSError as exc:
                return self._error(500, f"query failed: {exc}")
            content_type, fmt = negotiate(self.headers.get("Accept", ""), kind, requested)
            headers = {}
            if kind == "graph":
                triples, truncated = payload
                body = ox.serialize(triples, format=GRAPH_TYPES[fmt]) or b""
            else:
                truncated = kind == "select" and payload[2]
                body = serialise(kind, payload, fmt)
            if truncated:
                headers["X-Result-Truncated"] = f"true; limit {endpoint.max_rows} rows"
            self._send(200, body, f"{content_type}; charset=utf-8", headers)

    return Handler


def make_server(out_dir: Path | str = "output", host: str = "127.0.0.1", port: int = 8000, timeout: float = 10.0, max_rows: int = 10_000) -> ThreadingHTTPServer:
    """An HTTP server over the graph in ``out_dir`` (not yet serving; call ``serve_forever``)."""
    from kg.explorer import Explorer

    store = open_store(out_dir)
    endpoint = Endpoint(store, timeout=timeout, max_rows=max_rows)
    server = ThreadingHTTPServer((host, port), make_handler(endpoint, Explorer(store)))
    server.daemon_threads = True
    return server
