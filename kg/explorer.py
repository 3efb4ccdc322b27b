"""The explorer: the page ``kg serve`` shows at ``/`` and the JSON API it reads.

API (all GET, JSON, UTF-8):

``/api/search?q=洛阳&limit=20``   entities whose label or a surface form contains ``q``:
                                  ``[{"iri", "label", "class", "mentions"}]``, best first
``/api/entity?iri=IRI``           one entity and its neighbourhood:
                                  ``{"node": {...}, "nodes": [{"iri", "label", "class"}],
                                  "edges": [{"from", "to", "property", "evidence": [{"sentence",
                                  "article", "title", "file"}]}], "mentions": [{"surface",
                                  "sentence", "article", "title", "file"}]}``
``/api/article?iri=IRI``          ``{"iri", "title", "file", "region", "text"}``
``/api/schema``                   ``{"classes": [...], "properties": [...]}`` for the filters

Every value is data: the page must insert it with ``textContent``, never as markup.
"""

from __future__ import annotations

import functools
from pathlib import Path

import pyoxigraph as ox

from kg.analysis import ENTITY_CLASSES
from kg.query import term_text
from kg.store import select

PAGE = Path(__file__).parent / "assets" / "explorer.html"
PROPERTIES = ["runs", "establishes", "issues", "implements", "passed", "received", "supports", "partnersWith", "funds", "memberOf", "locatedIn", "partOf", "leads"]


def _local(iri: str) -> str:
    return iri.rsplit("#", 1)[-1]


@functools.cache
def page() -> bytes:
    """The explorer page with vis-network inlined (it works offline)."""
    lib = Path(__import__("pyvis").__file__).parent / "lib" / "vis-9.1.2"
    html = PAGE.read_text(encoding="utf-8")
    html = html.replace("/*VIS_CSS*/", lib.joinpath("vis-network.css").read_text(encoding="utf-8"))
    html = html.replace("/*VIS_JS*/", lib.joinpath("vis-network.min.js").read_text(encoding="utf-8").replace("</script", "<\\/script"))
    return html.encode("utf-8")


class Explorer:
    def __init__(self, store: ox.Store):
        self.store = store

    def api(self, name: str, params: dict[str, str]):
        """The answer to ``/api/NAME?params`` (parameters a call does not take are ignored).
        Raises KeyError (no such call or thing) and ValueError (a bad parameter), each
        with a sentence."""
        handlers = {"search": (self.search, ("q", "limit")), "entity": (self.entity, ("iri",)), "article": (self.article, ("iri",)), "schema": (self.schema, ())}
        if name not in handlers:
            raise KeyError(f"no API call /api/{name}; there are " + ", ".join(f"/api/{n}" for n in handlers))
        handler, takes = handlers[name]
        return handler(**{k: v for k, v in params.items() if k in takes})

    def schema(self) -> dict:
        return {"classes": list(ENTITY_CLASSES), "properties": PROPERTIES}

    def search(self, q: str = "", limit: str | int = 20) -> list[dict]:
        q = q.strip()
        if not q:
            raise ValueError("give the text to search for: /api/search?q=洛阳")
        if not str(limit).strip().isdigit():
            raise ValueError(f"limit must be a whole number (of results, up to 200), not {limit!r}")
        limit = max(1, min(int(limit), 200))
        classes = ", ".join(f"kg:{c}" for c in ENTITY_CLASSES)
        rows = select(self.store, f"""
            SELECT ?e (SAMPLE(?c) AS ?cls) (SAMPLE(?l) AS ?label) (COUNT(DISTINCT ?m) AS ?mentions) WHERE {{
                ?e a ?c ; rdfs:label ?l . FILTER(?c IN ({classes}))
                {{ ?e rdfs:label ?name }} UNION {{ ?e kg:altLabel ?name }}
                FILTER(CONTAINS(?name, ?q))
                OPTIONAL {{ ?m kg:mentionOf ?e }}
            }} GROUP BY ?e ORDER BY DESC(?mentions) STRLEN(?label) LIMIT {limit}""".replace("?q", _literal(q)))  # fmt: skip
        return [{"iri": r["e"].value, "label": r["label"].value, "class": _local(r["cls"].value), "mentions": int(r["mentions"].value)} for r in rows]

    def entity(self, iri: str = "") -> dict:
        node = _iri(iri)
        info = select(self.store, f"SELECT ?label ?c WHERE {{ {node} rdfs:label ?label ; a ?c }} LIMIT 50")
        if not info:
            raise KeyError(f"no entity {iri}")
        classes = [_local(r["c"].value) for r in info if _local(r["c"].value) in ENTITY_CLASSES]
        edge_rows = select(self.store, f"""
            SELECT ?s ?p ?o ?sentence ?article ?title ?file WHERE {{
                ?st rdf:subject ?s ; rdf:predicate ?p ; rdf:object ?o .
                FILTER(?s = {node} || ?o = {node})
                OPTIONAL {{ ?st kg:evidence ?sentence ; prov:wasDerivedFrom ?article . ?article rdfs:label ?title ; kg:sourceFile ?file }}
            }} LIMIT 2000""")  # fmt: skip
        edges: dict[tuple, dict] = {}
        values: dict[tuple, dict] = {}  # relations to a literal (targets 贫困人口): facts of the node, not edges
        others = set()
        for r in edge_rows:
            s, p, o = r["s"].value, _local(r["p"].value), r["o"].value
            if isinstance(r["o"], ox.Literal):
                values.setdefault((p, o), {"property": p, "value": o})
                continue
            edge = edges.setdefault((s, p, o), {"from": s, "to": o, "property": p, "evidence": []})
            if r.get("sentence") is not None and len(edge["evidence"]) < 5:
                edge["evidence"].append({k: term_text(r.get(k)) for k in ("sentence", "article", "title", "file")})
            others.update({s, o})
        others.discard(iri)
        nodes = [{"iri": iri, "label": info[0]["label"].value, "class": classes[0] if classes else ""}]
        if others:
            iris = " ".join(_iri(o) for o in sorted(others))
            classes_ = ", ".join(f"kg:{c}" for c in ENTITY_CLASSES)
            for r in select(self.store, f"""
                    SELECT ?e (SAMPLE(?l) AS ?label) (SAMPLE(?c) AS ?cls) WHERE {{
                        VALUES ?e {{ {iris} }} ?e rdfs:label ?l ; a ?c . FILTER(?c IN ({classes_}))
                    }} GROUP BY ?e"""):  # fmt: skip
                nodes.append({"iri": r["e"].value, "label": r["label"].value, "class": _local(r["cls"].value)})
        mentions = [
            {k: term_text(r.get(k)) for k in ("surface", "sentence", "article", "title", "file")}
            for r in select(self.store, f"""
                SELECT ?surface ?sentence ?article ?title ?file WHERE {{
                    ?m kg:mentionOf {node} ; kg:surface ?surface ; kg:evidence ?sentence ; prov:wasDerivedFrom ?article .
                    ?article rdfs:label ?title ; kg:sourceFile ?file .
                }} LIMIT 50""")  # fmt: skip
        ]
        return {"node": nodes[0], "nodes": nodes, "edges": list(edges.values()), "values": list(values.values()), "mentions": mentions}

    def article(self, iri: str = "") -> dict:
        node = _iri(iri)
        rows = select(self.store, f"""
            SELECT ?title ?file ?text ?region WHERE {{
                {node} a kg:Article ; rdfs:label ?title ; kg:sourceFile ?file ; kg:cleanText ?text .
                OPTIONAL {{ {node} kg:aboutRegion/rdfs:label ?region }}
            }} LIMIT 1""")  # fmt: skip
        if not rows:
            raise KeyError(f"no article {iri}")
        r = rows[0]
        return {"iri": iri, **{k: term_text(r.get(k)) for k in ("title", "file", "text", "region")}}


def _iri(value: str) -> str:
    """An absolute IRI for a query, in brackets; ValueError, with a sentence, for anything
    Oxigraph would not read as one (and so for anything that could break out of the brackets).

    >>> _iri("https://example.org/kg/id/洛阳市")
    '<https://example.org/kg/id/洛阳市>'
    >>> _iri("x> } DROP ALL {")
    Traceback (most recent call last):
    ValueError: iri must be an absolute IRI, such as https://example.org/kg/id/洛阳市: 'x> } DROP ALL {' is not one (Invalid IRI code point '>')
    """
    if not value:
        raise ValueError("give the IRI of what to show: iri=https://example.org/kg/id/洛阳市")
    try:
        return str(ox.NamedNode(value))
    except ValueError as exc:
        raise ValueError(f"iri must be an absolute IRI, such as https://example.org/kg/id/洛阳市: {value!r} is not one ({exc})") from None


def _literal(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r") + '"'
