"""SPARQL over the built graph, with plain rows out and readable errors.

>>> import tempfile, pyoxigraph as ox
>>> from kg import store
>>> out = Path(tempfile.mkdtemp())
>>> _ = store.write([(store.Triples('<http://x/a> <http://www.w3.org/2000/01/rdf-schema#label> "嵩县" .\\n'), None)], out)
>>> run_query("SELECT ?l WHERE { ?s rdfs:label ?l }", out)
(['l'], [['嵩县']])
>>> try:
...     run_query("SELECT ?l WHERE { ?s rdfs:label ", out)
... except QueryError as error:
...     print(str(error)[:57])
SPARQL syntax error at line 1, column 33: expected one of
"""

from __future__ import annotations

import re
from pathlib import Path

import pyoxigraph as ox

from kg.store import SPARQL_PREFIXES, open_store


class QueryError(Exception):
    """A query that cannot run: the message says why, in the parser's words."""


def term_text(term) -> str:
    """A result cell as text: IRIs and literals by value, blanks as ``_:id``."""
    if term is None:
        return ""
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    return term.value


def _syntax_message(message: str) -> str:
    """The parser's message, with positions in the user's query (not counting the
    prefix lines added before it) and the list of expected tokens shortened."""
    match = re.match(r"error at (\d+):(\d+): (.*)", message, re.S)
    if not match:
        return f"SPARQL syntax error: {message}"
    line = int(match.group(1)) - SPARQL_PREFIXES.count("\n")
    detail = match.group(3).split("\n")[0]
    detail = detail if len(detail) < 160 else detail[:157] + "..."
    return f"SPARQL syntax error at line {line}, column {match.group(2)}: {detail}"


#: Folders holding named queries: ``queries/`` where you are, then the project's own.
QUERY_FOLDERS = (Path("queries"), Path(__file__).resolve().parent.parent / "queries")


def named_queries() -> dict[str, Path]:
    """Named queries by name (file stem), the first folder winning."""
    found: dict[str, Path] = {}
    for folder in QUERY_FOLDERS:
        for path in sorted(folder.glob("*.rq")) if folder.is_dir() else []:
            found.setdefault(path.stem, path)
    return found


def resolve_query(text: str) -> str:
    """A query given as SPARQL, as ``@file``, or by the name of a query in ``queries/``."""
    if text.startswith("@"):
        return Path(text[1:]).read_text(encoding="utf-8")
    if re.fullmatch(r"[\w-]+", text):
        queries = named_queries()
        if text not in queries:
            raise QueryError(f"no query named {text!r}; named queries: {', '.join(sorted(queries))}")
        return queries[text].read_text(encoding="utf-8")
    return text


def run_query(
    sparql: str, out_dir: Path | str = "output", store: ox.Store | None = None, bindings: dict[str, str] | None = None
) -> tuple[list[str], list[list[str]]]:
    """``(columns, rows)`` of a SELECT, ASK (one ``result`` column) or CONSTRUCT/DESCRIBE
    (``subject, predicate, object``) query over the graph in ``out_dir``. ``sparql`` may
    also be the name of a query in ``queries/``; ``bindings`` give variables a value
    (``{"name": "焦作市"}``; the query must select them)."""
    store = store or open_store(out_dir)
    sparql = resolve_query(sparql)
    substitutions = {ox.Variable(k): ox.Literal(v) for k, v in (bindings or {}).items()}
    try:
        results = store.query(SPARQL_PREFIXES + sparql, substitutions=substitutions)
    except SyntaxError as exc:
        raise QueryError(_syntax_message(str(exc))) from exc
    except (OSError, RuntimeError) as exc:
        # e.g. a --bind for a variable the query does not select
        raise QueryError(f"query failed: {exc}") from exc
    if isinstance(results, ox.QueryBoolean):
        return ["result"], [[str(bool(results)).lower()]]
    if isinstance(results, ox.QueryTriples):
        return ["subject", "predicate", "object"], [[term_text(t.subject), term_text(t.predicate), term_text(t.object)] for t in results]
    columns = [v.value for v in results.variables]
    return columns, [[term_text(row[c]) for c in columns] for row in results]
