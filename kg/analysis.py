"""The graph as networkx, for analysis in Python and notebooks, and ``kg stats``.

>>> import tempfile, pathlib
>>> from kg.build import build
>>> out = pathlib.Path(tempfile.mkdtemp())
>>> page = out / "p.txt"
>>> _ = page.write_text("2019年，驻马店市荣获全国脱贫攻坚奖。", encoding="utf-8")
>>> _ = build([page], out / "graph", rules_only=True)
>>> g = load_graph(out / "graph")
>>> sorted((g.nodes[u]["label"], d["property"], g.nodes[v]["label"]) for u, v, d in g.edges(data=True) if d["property"] != "partOf")
[('驻马店市', 'received', '全国脱贫攻坚奖')]
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import networkx as nx
import pyoxigraph as ox

from kg.query import term_text
from kg.store import open_store, select

ENTITY_CLASSES = (
    "Province", "City", "County", "Township", "Village", "GovernmentBody", "Hospital", "PrimaryCareFacility",
    "CareFacility", "MedicalAlliance", "PublicHealthAgency", "AcademicInstitution", "Enterprise", "Organization",
    "Program", "Policy", "Accreditation", "Award", "Person",
)  # fmt: skip


def load_graph(out_dir: Path | str = "output", store=None) -> nx.MultiDiGraph:
    """Entities as nodes (``label``, ``cls``), relations between two entities as edges
    (``property``, ``evidence`` of one statement, ``count`` of statements). Relations
    whose object is a value, not an entity (``kg:targets "贫困人口"``), are no edges:
    ``graph.graph["to_values"]`` counts them by property."""
    store = store or open_store(out_dir)
    graph = nx.MultiDiGraph(to_values=Counter())
    classes = ", ".join(f"kg:{c}" for c in ENTITY_CLASSES)
    for row in select(store, f"""
            SELECT ?e (SAMPLE(?c) AS ?cls) (SAMPLE(?l) AS ?label) WHERE {{
                ?e a ?c ; rdfs:label ?l . FILTER(?c IN ({classes}))
            }} GROUP BY ?e"""):  # fmt: skip
        graph.add_node(row["e"].value, label=row["label"].value, cls=row["cls"].value.rsplit("#", 1)[-1])
    for row in select(store, """
            SELECT ?s ?p ?o (SAMPLE(?ev) AS ?evidence) (COUNT(?st) AS ?count) WHERE {
                ?st rdf:subject ?s ; rdf:predicate ?p ; rdf:object ?o .
                OPTIONAL { ?st kg:evidence ?ev }
            } GROUP BY ?s ?p ?o"""):
        s, o = row["s"].value, row["o"].value
        if s in graph and isinstance(row["o"], ox.Literal):
            graph.graph["to_values"][row["p"].value.rsplit("#", 1)[-1]] += 1
        elif s in graph and o in graph:
            graph.add_edge(s, o, property=row["p"].value.rsplit("#", 1)[-1], evidence=term_text(row.get("evidence")), count=int(row["count"].value))
    return graph


def statistics(graph: nx.MultiDiGraph, top: int = 10) -> dict:
    """Leaders by degree and betweenness, communities, the largest connected component,
    counts per class and property, and programs shared across regions."""
    simple = nx.Graph(graph)
    label = lambda n: graph.nodes[n]["label"]  # noqa: E731
    degree = sorted(simple.degree, key=lambda kv: (-kv[1], label(kv[0])))[:top]
    betweenness = nx.betweenness_centrality(simple) if simple.number_of_nodes() else {}
    between = sorted(betweenness.items(), key=lambda kv: (-kv[1], label(kv[0])))[:top]
    components = sorted(nx.connected_components(simple), key=len, reverse=True)
    largest = components[0] if components else set()
    communities = nx.community.greedy_modularity_communities(simple.subgraph(largest)) if len(largest) > 2 else []
    shared = shared_programs(graph)
    to_values = graph.graph.get("to_values", Counter())
    return {
        "nodes": graph.number_of_nodes(),
        "relations": graph.number_of_edges() + sum(to_values.values()),
        "edges": graph.number_of_edges(),
        "to_values": to_values.most_common(),
        "classes": Counter(d["cls"] for _, d in graph.nodes(data=True)).most_common(),
        "properties": (Counter(d["property"] for _, _, d in graph.edges(data=True)) + to_values).most_common(),
        "degree_leaders": [(label(n), graph.nodes[n]["cls"], d) for n, d in degree],
        "betweenness_leaders": [(label(n), graph.nodes[n]["cls"], round(b, 4)) for n, b in between],
        "components": len(components),
        "largest_component": {"nodes": len(largest), "share": round(len(largest) / max(1, simple.number_of_nodes()), 3)},
        "communities": [sorted((label(n) for n in c), key=lambda x: -simple.degree[next(m for m in c if label(m) == x)])[:6] for c in list(communities)[:top]],
        "shared_programs": shared[:top],
    }


def shared_programs(graph: nx.MultiDiGraph) -> list[tuple[str, list[str]]]:
    """Programs run by bodies or regions in more than one region."""
    region_of: dict[str, str] = {}
    for u, v, d in graph.edges(data=True):
        if d["property"] == "locatedIn":
            region_of[u] = graph.nodes[v]["label"]
    result = []
    for node, data in graph.nodes(data=True):
        if data["cls"] != "Program":
            continue
        regions = set()
        for agent, _, d in graph.in_edges(node, data=True):
            if d["property"] in ("runs", "establishes", "funds"):
                cls = graph.nodes[agent]["cls"]
                regions.add(graph.nodes[agent]["label"] if cls in ("Province", "City", "County", "Township", "Village") else region_of.get(agent, graph.nodes[agent]["label"]))
        if len(regions) > 1:
            result.append((data["label"], sorted(regions)))
    return sorted(result, key=lambda kv: (-len(kv[1]), kv[0]))


def format_statistics(stats: dict) -> str:
    """``kg stats`` output."""
    to_values = ", ".join(f"{p} {n}" for p, n in stats["to_values"])
    lines = [
        f"{stats['nodes']} entities, {stats['relations']} relations (as kg build counts them): {stats['edges']} between two entities, "
        f"{stats['relations'] - stats['edges']} to a value, not an entity" + (f" ({to_values})." if to_values else "."),
        f"The network of the entities and the {stats['edges']} relations between them: {stats['components']} connected components; "
        f"the largest has {stats['largest_component']['nodes']} entities ({stats['largest_component']['share']:.0%}).",
        "",
        "Entities by class: " + ", ".join(f"{c} {n}" for c, n in stats["classes"]),
        "Relations by property: " + ", ".join(f"{p} {n}" for p, n in stats["properties"]),
        "",
        "Most connected (degree):",
        *[f"  {d:>3}  {name} ({cls})" for name, cls, d in stats["degree_leaders"]],
        "",
        "Brokers (betweenness):",
        *[f"  {b:.3f}  {name} ({cls})" for name, cls, b in stats["betweenness_leaders"]],
        "",
        "Communities in the largest component (best connected members):",
        *[f"  {i + 1}. " + "、".join(c) for i, c in enumerate(stats["communities"])],
        "",
        "Programs shared across regions:",
        *([f"  {p}: " + "、".join(r) for p, r in stats["shared_programs"]] or ["  none"]),
    ]
    return "\n".join(lines)
