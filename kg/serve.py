"""``kg serve``: the built graph over HTTP.

``/sparql``  the SPARQL 1.1 Protocol (GET and POST), read-only: results as SPARQL JSON,
             XML, CSV or TSV (graphs as Turtle or N-Triples) by content negotiation; updates
             get 403, syntax errors 400 with the parser's message, a query over the time
             limit 503, and results stop at the row limit (header ``X-Result-Truncated``).
             SERVICE (federated queries) is refused unless its endpoint is allowed.
``/``        the explorer page; ``/api/*`` the JSON it reads.

Queries, and the explorer's API calls, run in query processes (:mod:`kg.workers`): at
most ``workers`` at a time, and one that runs past the time limit is answered with 503
and its process killed. A request's body is capped, a client that stays silent for the
time limit is dropped, and other web pages may not call the server (no CORS) unless
one origin is named.
"""

from __future__ import annotations

import base64
import hashlib
import json
import logging
import re
import signal
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Callable, NamedTuple
from urllib.parse import parse_qs, urlparse
from xml.sax.saxutils import escape

import pyoxigraph as ox

from kg.explorer import Explorer, page
from kg.query import _syntax_message
from kg.store import SPARQL_PREFIXES, open_store
from kg.workers import Busy, NoGraph, Pool, Timeout, store_identity

log = logging.getLogger("kg")

MAX_BODY = 1 << 20  # bytes a request may send (a query is rarely over a few kilobytes)
BACKLOG = 128  # connections the system holds for the server before it accepts them
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
READ_ONLY = "This endpoint is read-only: SPARQL Update is not accepted."


# ---- SERVICE ----------------------------------------------------------------------------------

_TOKENS = re.compile(
    r"""(?P<skip>'{3}(?:(?:'|'')?(?:[^'\\]|\\.))*'{3} | "{3}(?:(?:"|"")?(?:[^"\\]|\\.))*"{3}   # long strings
        | '(?:[^'\\\n\r]|\\.)*' | "(?:[^"\\\n\r]|\\.)*"                                  # strings
        | \#[^\n\r]*)                                                                        # comments
    | (?P<variable>[?$]\w+)
    | (?P<name>(?:[^\W\d][\w.-]*)?:(?:[\w.:%-]|\\[_~.!$&'()*+,;=/?\#@%-])*)                 # prefixed names
    | (?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
    | (?P<code>\w+|\S)""",
    re.X,
)


def service_refusal(sparql: str, allowed: tuple[str, ...] = ()) -> str | None:
    """Why ``sparql`` may not run here because of SERVICE (which would have the server
    fetch from another address), or None. The keyword counts wherever the parser would
    read it, even glued to a number (``1SERVICE``); in strings, IRIs, comments and
    names it is text. An ``allowed`` endpoint may be named as a full IRI.

    >>> service_refusal('SELECT ?service WHERE { ?s <http://x/SERVICE> "SERVICE" }') is None
    True
    >>> service_refusal("SELECT * WHERE { ?s ?p 1SERVICE <http://10.0.0.1/> {} }")[:48]
    'SERVICE (a federated query) is turned off on thi'
    >>> service_refusal("SELECT * WHERE { SERVICE <http://a/sparql> {} }", ("http://a/sparql",)) is None
    True
    """
    if "service" not in sparql.casefold():
        return None
    unescaped = re.sub(r"\\u([0-9A-Fa-f]{4})|\\U(000[0-9A-Fa-f]{5}|0010[0-9A-Fa-f]{4})", lambda m: chr(int(m.group(1) or m.group(2), 16)), sparql)
    for text in {sparql, unescaped}:  # SPARQL reads \u escapes before anything else
        tokens = [(m.lastgroup, m.group()) for m in _TOKENS.finditer(text) if m.lastgroup != "skip"]
        for i, (kind, token) in enumerate(tokens):
            # the parser reads the keyword even glued to a number or word (1SERVICE), or before a colon
            word = {"code": token, "name": token.split(":", 1)[0]}.get(kind, "").casefold()
            if "service" not in word:
                continue
            if not allowed:
                return "SERVICE (a federated query) is turned off on this server: it would have the server fetch from other addresses. Start it with --allow-service URL to allow an endpoint."
            rest = tokens[i + 1 : i + 3] if kind == "code" and word.endswith("service") else []
            if rest and rest[0][0] == "code" and rest[0][1].casefold() == "silent":
                rest = rest[1:]
            endpoint = rest[0][1] if rest else token
            if not rest or rest[0][0] != "iri" or endpoint[1:-1] not in allowed:
                return f"SERVICE {endpoint} is not an allowed endpoint: name one of " + ", ".join(f"<{url}>" for url in allowed) + " in full."
    return None


# ---- queries, in a query process ----------------------------------------------------------------


class Reply(NamedTuple):
    """An answer a query process made, for the server to send as it is."""

    status: int
    content_type: str
    body: bytes
    headers: dict | None = None


def text_reply(status: int, message: str) -> Reply:
    return Reply(status, "text/plain; charset=utf-8", (message + "\n").encode("utf-8"))


def open_graph(out_dir: Path) -> Explorer:
    """What a query process holds: the store, read-only, with the explorer's API over it."""
    return Explorer(open_store(out_dir))


def evaluate(store: ox.Store, sparql: str, max_rows: int) -> tuple[str, object]:
    """``(kind, payload)``: kind is "select" (columns, rows, truncated), "ask" (bool)
    or "graph" (triples, truncated). Raises SyntaxError, OSError, RuntimeError."""
    results = store.query(SPARQL_PREFIXES + sparql)
    if isinstance(results, ox.QueryBoolean):
        return "ask", bool(results)
    if isinstance(results, ox.QueryTriples):
        triples = []
        for triple in results:
            if len(triples) == max_rows:
                return "graph", (triples, True)
            triples.append(triple)
        return "graph", (triples, False)
    columns = [v.value for v in results.variables]
    rows = []
    for solution in results:
        if len(rows) == max_rows:
            return "select", (columns, rows, True)
        rows.append([solution[c] for c in columns])
    return "select", (columns, rows, False)


def sparql_reply(graph: Explorer, sparql: str, accept: str, requested: str | None, max_rows: int, federated: bool) -> Reply:
    """A query's answer in the form the client asked for."""
    try:
        kind, payload = evaluate(graph.store, sparql, max_rows)
    except SyntaxError as exc:
        return text_reply(400, _syntax_message(str(exc)))
    except (OSError, RuntimeError, ValueError) as exc:
        if federated:  # the same words whatever went wrong: they must not tell which ports are open
            return text_reply(502, "The query failed: a SERVICE endpoint gave no usable answer.")
        return text_reply(500, f"query failed: {exc}")
    content_type, fmt = negotiate(accept, kind, requested)
    headers = {}
    if kind == "graph":
        triples, truncated = payload
        body = ox.serialize(triples, format=GRAPH_TYPES[fmt]) or b""
    else:
        truncated = kind == "select" and payload[2]
        body = serialise(kind, payload, fmt)
    if truncated:
        headers["X-Result-Truncated"] = f"true; limit {max_rows} rows"
    return Reply(200, f"{content_type}; charset=utf-8", body, headers)


def api_reply(graph: Explorer, name: str, params: dict[str, str]) -> Reply:
    """An explorer API call's JSON, or a sentence saying what was wrong with it."""
    try:
        value = graph.api(name, params)
    except KeyError as exc:
        return text_reply(404, exc.args[0])
    except ValueError as exc:
        return text_reply(400, str(exc))
    return Reply(200, "application/json; charset=utf-8", json.dumps(value, ensure_ascii=False).encode("utf-8"))


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


def page_policy(html: bytes) -> str:
    """The explorer page's Content-Security-Policy: its own inline scripts and styles (by
    their hashes), requests to this server, nothing else.

    >>> page_policy(b"<style>p{}</style><script>go()</script>").split("; ")[1]
    "script-src 'sha256-5KYv+PUboo5h+0+YAtGRPbwv5d/QxzHslP4YGnUaxRw='"
    """

    def hashes(tag: bytes) -> str:
        bodies = re.findall(rb"<%s>(.*?)</%s>" % (tag, tag), html, re.S)
        return " ".join("'sha256-%s'" % base64.b64encode(hashlib.sha256(body).digest()).decode() for body in bodies)

    return (
        f"default-src 'none'; script-src {hashes(b'script')}; style-src {hashes(b'style')}; img-src 'self' data:; "
        "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
    )


def make_handler(pool: Pool, timeout: float, max_rows: int, cors: str | None, allow_service: tuple[str, ...]):
    html = page()
    policy = page_policy(html)
    silent_seconds = timeout

    class Handler(BaseHTTPRequestHandler):
        server_version = "kg-serve"
        timeout = silent_seconds  # a client that sends nothing for this long is dropped

        def log_message(self, fmt, *args):  # quiet by default; -v shows requests
            if log.isEnabledFor(logging.INFO):
                log.info("%s %s", self.address_string(), fmt % args)

        def _send(self, status: int, body: bytes, content_type: str, headers: dict | None = None) -> None:
            self.send_response(status)
            headers = {
                "Content-Type": content_type, "Content-Length": str(len(body)), "X-Content-Type-Options": "nosniff",
                "X-Frame-Options": "DENY", "Content-Security-Policy": "default-src 'none'; frame-ancestors 'none'",
                **({"Access-Control-Allow-Origin": cors} if cors else {}), **(headers or {}),
            }  # fmt: skip
            for name, value in headers.items():
                self.send_header(name, value)
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)

        def _error(self, status: int, message: str, headers: dict | None = None) -> None:
            self._send(status, (message + "\n").encode("utf-8"), "text/plain; charset=utf-8", headers)

        def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
            """The base class's own refusals (a bad request line, an unknown method, headers
            too long) as plain sentences with the same headers as the rest."""
            log.info("%s %s: %s", self.address_string(), code, message)
            self.close_connection = True
            self._error(code, message or self.responses.get(code, ("Error",))[0])

        def _answer(self, route: Callable[[], None]) -> None:
            """``route()``, with a sentence instead of a dropped connection when it fails."""
            try:
                route()
            except (ConnectionError, TimeoutError):  # the client went away or stalled
                self.close_connection = True
            except Exception:
                log.exception("failed to answer %s %s", self.command, self.path)
                self._error(500, "The server failed to answer this request; its log says why (kg -v serve).")

        def _work(self, function: Callable, *args) -> None:
            """``function(graph, *args)`` in a query process, its Reply sent."""
            try:
                reply = pool.call(function, *args)
            except (Busy, Timeout, NoGraph) as exc:
                return self._error(503, str(exc), {"Retry-After": "1"})
            self._send(reply.status, reply.body, reply.content_type, reply.headers)

        def do_GET(self) -> None:  # noqa: N802
            self._answer(self._get)

        do_HEAD = do_GET

        def do_POST(self) -> None:  # noqa: N802
            self._answer(self._post)

        def do_OPTIONS(self) -> None:  # noqa: N802 - a browser asking whether another page may POST
            headers = {"Allow": "GET, HEAD, POST, OPTIONS"}
            if cors:
                headers.update({"Access-Control-Allow-Methods": "GET, POST, OPTIONS", "Access-Control-Allow-Headers": "Accept, Content-Type", "Access-Control-Max-Age": "600"})
            self._send(204, b"", "text/plain; charset=utf-8", headers)

        def _get(self) -> None:
            url = urlparse(self.path)
            params = {k: v[-1] for k, v in parse_qs(url.query).items()}
            if url.path in ("/", "/index.html"):
                return self._send(200, html, "text/html; charset=utf-8", {"Content-Security-Policy": policy})
            if url.path == "/favicon.ico":
                return self._send(204, b"", "image/x-icon")
            if url.path == "/sparql":
                if "update" in params:
                    return self._error(403, READ_ONLY)
                if "query" not in params:
                    return self._error(400, "Give a query: /sparql?query=SELECT ...")
                return self._query(params["query"], params.get("format"))
            if url.path.startswith("/api/"):
                return self._work(api_reply, url.path[5:], params)
            return self._error(404, f"Nothing at {url.path}: try /, /sparql")

        def _post(self) -> None:
            url = urlparse(self.path)
            if url.path != "/sparql":
                return self._error(404, f"Nothing to POST to at {url.path}")
            data = self._body()
            if data is None:
                return
            body = data.decode("utf-8", errors="replace")
            content_type = (self.headers.get("Content-Type") or "").split(";")[0].strip()
            if content_type == "application/sparql-update":
                return self._error(403, READ_ONLY)
            if content_type == "application/sparql-query":
                return self._query(body, parse_qs(url.query).get("format", [None])[-1])
            params = {k: v[-1] for k, v in parse_qs(body).items()}
            if "update" in params:
                return self._error(403, READ_ONLY)
            if "query" not in params:
                return self._error(400, "POST a form with a query field, or a body of type application/sparql-query.")
            return self._query(params["query"], params.get("format"))

        def _body(self) -> bytes | None:
            """The request's body, read within the time limit; None when it was refused
            (and the client told why)."""
            self.close_connection = True  # whatever is left unread of a refused body
            if "Transfer-Encoding" in self.headers:
                return self._error(411, "Send the body with a Content-Length (chunked bodies are not accepted).")
            length = self.headers.get("Content-Length", "0").strip()
            if not (length.isascii() and length.isdigit()):
                return self._error(400, "Content-Length must be a number of bytes.")
            if len(length) > 15 or int(length) > MAX_BODY:
                return self._error(413, f"The request body is over the limit of {MAX_BODY:,} bytes (Content-Length: {length[:20]}).")
            size, data, deadline = int(length), b"", time.monotonic() + timeout
            try:
                while len(data) < size:
                    if time.monotonic() >= deadline:
                        return self._error(408, f"The request body did not arrive within {timeout:g} s.")
                    self.connection.settimeout(deadline - time.monotonic())
                    try:
                        chunk = self.rfile.read1(size - len(data))
                    except TimeoutError:
                        continue
                    if not chunk:
                        return None  # the client hung up
                    data += chunk
            finally:
                self.connection.settimeout(timeout)
            return data

        def _query(self, sparql: str, requested: str | None) -> None:
            if _UPDATE.match(sparql):
                return self._error(403, READ_ONLY)
            refusal = service_refusal(sparql, allow_service)
            if refusal:
                return self._error(400, refusal)
            federated = bool(allow_service) and "service" in sparql.casefold()
            self._work(sparql_reply, sparql, self.headers.get("Accept", ""), requested, max_rows, federated)

    return Handler


class Server(ThreadingHTTPServer):
    """The HTTP server: a thread per connection, a deeper listen queue, and the query
    processes it closes when it closes."""

    daemon_threads = True
    request_queue_size = BACKLOG

    def __init__(self, address: tuple[str, int], handler, pool: Pool):
        self.pool = pool  # first: a failed bind closes the server, and server_close the pool
        super().__init__(address, handler)

    def server_close(self) -> None:
        super().server_close()
        self.pool.close()


def make_server(
    out_dir: Path | str = "output", host: str = "127.0.0.1", port: int = 8000, timeout: float = 10.0, max_rows: int = 10_000,
    workers: int = 6, cors: str | None = None, allow_service: tuple[str, ...] = (),
) -> Server:  # fmt: skip
    """An HTTP server over the graph in ``out_dir``, its query processes started (call
    ``serve_forever``, or :func:`serve_until_stopped`)."""
    if store_identity(Path(out_dir)) is None:
        open_store(out_dir)  # raises the usual FileNotFoundError, which says what to do
    pool = Pool(out_dir, open_graph, processes=workers, timeout=timeout)
    try:
        pool.start()
        return Server((host, port), make_handler(pool, timeout, max_rows, cors, tuple(allow_service)), pool)
    except BaseException:
        pool.close()
        raise


def serve_until_stopped(server: Server) -> None:
    """Serve until Ctrl-C or SIGTERM, then stop every query at once and close."""

    def stop(signum, frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
