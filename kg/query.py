"""SPARQL over the built graph, with plain rows out and readable errors.

>>> import tempfile, pyoxigraph as ox
>>> from kg import store
>>> out = Path(tempfile.mkdtemp())
>>> _ = store.write([(store.Triples('<http://x/a> <http://www.w3.org/2000/01/rdf-schema#label> "嵩县" .\\n'), None)], out)
>>> run_query("SELECT ?l WHERE { ?s rdfs:label ?l }", out)
(['l'], [['嵩县']])
>>> try:
...     run_query("SELECT ?l WHERE { ?s rdfs:label ?l } LIMT 5", out)
... except QueryError as error:
...     print(error)
SPARQL syntax error at line 1, column 44: expected one of HAVING, OFFSET, OPTIONAL, VALUES
  SELECT ?l WHERE { ?s rdfs:label ?l } LIMT 5
                                             ^
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


def _syntax_message(message: str, sparql: str | None = None) -> str:
    """The parser's whole message, with the position in the user's query (not counting
    the prefix lines added before it) and, given the query, its line with a caret under
    that position.

    >>> print(_syntax_message("error at 10:11: expected one of \\"}\\"", "SELECT ?x\\nWHERE { ?x"))
    SPARQL syntax error at line 2, column 11: expected one of "}"
      WHERE { ?x
                ^
    """
    match = re.match(r"error at (\d+):(\d+): (.*)", message, re.S)
    if not match:
        return f"SPARQL syntax error: {message}"
    line, column = int(match.group(1)) - SPARQL_PREFIXES.count("\n"), int(match.group(2))
    text = f"SPARQL syntax error at line {line}, column {column}: {match.group(3)}"
    lines = (sparql or "").split("\n")
    if sparql is not None and 1 <= line <= len(lines):
        from kg.cleanup import width

        shown = lines[line - 1].rstrip("\r")
        indent = "".join(ch if ch == "\t" else " " * width(ch) for ch in shown[: column - 1])
        text += f"\n  {shown}\n  {indent}^"
    return text


def _binding_message(store: ox.Store, sparql: str, names: list[str]) -> str | None:
    """Which of ``names`` the query has no variable for, and the variables it has: a
    SELECT's columns, or for another query the variables of its pattern. None if it has
    them all.

    >>> _binding_message(ox.Store(), "SELECT ?city ?n WHERE { ?c rdfs:label ?city }", ["name"])
    'the query has no variable ?name to bind; its variables: ?city, ?n'
    """
    results = store.query(SPARQL_PREFIXES + sparql)
    if isinstance(results, ox.QuerySolutions):
        variables = [v.value for v in results.variables]
    else:  # the pattern's variables, outside IRIs, strings and comments
        pattern = re.sub(r"<[^<>\s]*>|\"(?:[^\"\\]|\\.)*\"|'(?:[^'\\]|\\.)*'|#[^\n]*", " ", sparql)
        variables = sorted(set(re.findall(r"[?$](\w+)", pattern)))
    missing = [n for n in names if n not in variables]
    if not missing:
        return None
    have = ", ".join(f"?{v}" for v in variables) or "none"
    return f"the query has no variable {', '.join(f'?{n}' for n in missing)} to bind; its variables: {have}"


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
    store = store if store is not None else open_store(out_dir)
    sparql = resolve_query(sparql)
    substitutions = {ox.Variable(k): ox.Literal(v) for k, v in (bindings or {}).items()}
    try:
        results = store.query(SPARQL_PREFIXES + sparql, substitutions=substitutions)
    except SyntaxError as exc:
        raise QueryError(_syntax_message(str(exc), sparql)) from exc
    except (OSError, RuntimeError) as exc:
        # e.g. a binding for a variable the query does not have
        raise QueryError((bindings and _binding_message(store, sparql, list(bindings))) or f"query failed: {exc}") from exc
    if isinstance(results, ox.QueryBoolean):
        return ["result"], [[str(bool(results)).lower()]]
    if isinstance(results, ox.QueryTriples):
        return ["subject", "predicate", "object"], [[term_text(t.subject), term_text(t.predicate), term_text(t.object)] for t in results]
    columns = [v.value for v in results.variables]
    return columns, [[term_text(row[c]) for c in columns] for row in results]
