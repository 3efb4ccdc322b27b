"""``graph.html``: an interactive pyvis view of the built graph, coloured by class, with the
evidence sentence and source article in each tooltip. The best connected nodes carry their
names; every other node shows its name when the pointer is on it. The legend names the
classes in Chinese, as the ontology and the explorer do, and the drawing fits the window.
It opens offline: vis-network is inlined from the copy pyvis ships, and nothing is fetched
from a CDN. Names taken from articles are data, never markup: the JSON is escaped so
``</script>`` in a name is inert.

>>> safe_json([{"label": "</script><b>"}])
'[{"label": "\\\\u003c/script\\\\u003e\\\\u003cb\\\\u003e"}]'
>>> chinese_names()["City"], chinese_names()["funds"]
('地级行政区', '资助')
"""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import TYPE_CHECKING

import pyoxigraph as ox

from kg.graph import ONTOLOGY_FILE
from kg.namespace import ONTOLOGY_IRI
from kg.store import atomic_write

if TYPE_CHECKING:
    from pyvis.network import Network

TEMPLATE = Path(__file__).parent / "assets" / "graph.html.j2"
#: Colour of each class in the view (subclasses of Region and Organization share hues).
COLOURS = {
    "Province": "#1b5e20", "City": "#2e7d32", "County": "#43a047", "Township": "#66bb6a", "Village": "#a5d6a7",
    "GovernmentBody": "#c62828", "Hospital": "#1565c0", "PrimaryCareFacility": "#42a5f5", "CareFacility": "#26c6da",
    "MedicalAlliance": "#5e35b1", "PublicHealthAgency": "#00897b", "AcademicInstitution": "#6d4c41",
    "Enterprise": "#757575", "Organization": "#ef6c00", "Program": "#f9a825", "Policy": "#ad1457",
    "Accreditation": "#8e24aa", "Award": "#ff7043", "Person": "#37474f",
}  # fmt: skip
#: How many of the best connected nodes carry their name all the time.
NAMED_NODES = 20
#: The page's fonts, Chinese ones first (the explorer's too).
FONT = '"Noto Sans CJK SC", "Source Han Sans SC", "PingFang SC", "Microsoft YaHei", "WenQuanYi Micro Hei", sans-serif'


@functools.cache
def chinese_names() -> dict[str, str]:
    """Each class's and property's Chinese name, from the ontology's ``rdfs:label "…"@zh``
    (the names the explorer shows too)."""
    label = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
    return {
        t.subject.value[len(ONTOLOGY_IRI) :]: t.object.value
        for t in ox.parse(path=str(ONTOLOGY_FILE), format=ox.RdfFormat.TURTLE)
        if t.predicate == label and t.object.language == "zh" and t.subject.value.startswith(ONTOLOGY_IRI)
    }


def safe_json(value) -> str:
    """JSON that can sit inside a ``<script>`` element whatever the strings hold."""
    return json.dumps(value, ensure_ascii=False).replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


class Collector:
    """What the view needs from each record, gathered as the records stream by: every
    entity's class and label, every distinct relation, and the first sentence (and its
    article) that says each."""

    def __init__(self):
        self.entities: dict[str, list] = {}  # IRI -> [class, label, evidence, article title]
        self.edges: dict[tuple[str, str, str], tuple] = {}  # (s, property, o) -> (evidence, article title)

    def add(self, record) -> None:
        """Note one :class:`~kg.graph.ArticleRecord`."""
        for iri, cls, label in record.entities:
            if cls in COLOURS:
                self.entities.setdefault(iri, [cls, label, None, None])
        for iri, sentence in record.evidence.items():
            entry = self.entities.get(iri)
            if entry is not None and entry[2] is None:
                entry[2:] = [sentence, record.title]
        for s, p, o in record.relations:
            if (s, p, o) not in self.edges or self.edges[s, p, o][0] is None:
                sentence = record.evidence.get(f"{s} {p} {o}")
                self.edges[s, p, o] = (sentence, record.title if sentence else None)


def _quoted(evidence: str, article: str | None) -> str:
    """The evidence sentence and its article, as a tooltip's last lines."""
    return f"\n\n“{evidence}”\n—— {article or ''}"


def network(seen: Collector, max_nodes: int = 1500) -> tuple[Network, str]:
    """A pyvis Network of the graph's entities and relations (the ``max_nodes`` best
    connected ones), and a note saying what was left out."""
    degree: dict[str, int] = {}
    entities = seen.entities
    for s, _, o in seen.edges:
        for end in (s, o):
            if end in entities:  # not a literal (kg:targets "贫困人口")
                degree[end] = degree.get(end, 0) + 1
    connected = [iri for iri in entities if degree.get(iri)]
    keep = set(sorted(connected, key=lambda iri: (-degree[iri], iri))[:max_nodes])
    named = set(sorted(keep, key=lambda iri: (-degree[iri], iri))[:NAMED_NODES])
    names = chinese_names()
    from pyvis.network import Network  # here, not at the top: only a build draws, and pyvis takes 0.2 s to import

    net = Network(directed=True, cdn_resources="in_line")
    # Filling the lists directly: add_node/add_edge are quadratic on large graphs.
    for iri in sorted(keep):
        cls, label, evidence, article = entities[iri]
        tip = f"{label}\n类别：{names.get(cls, cls)}"
        if evidence is not None:
            tip += _quoted(evidence, article)
        net.nodes.append({
            "id": iri, "label": label if iri in named else "", "name": label, "cls": cls, "title": tip, "color": COLOURS.get(cls, "#999"),
            "shape": "dot", "size": 10 + min(20, 2 * degree[iri]), "degree": degree[iri], "mass": 1 + degree[iri] / 4,
        })  # fmt: skip
    for (s, prop, o), (evidence, article) in seen.edges.items():
        if s not in keep or o not in keep:
            continue
        tip = f"{entities[s][1]} —{names.get(prop, prop)}→ {entities[o][1]}"
        if evidence is not None:
            tip += _quoted(evidence, article)
        else:
            tip += "\n\n（行政区划表）"
        net.edges.append({"from": s, "to": o, "label": names.get(prop, prop), "title": tip, "arrows": "to", "font": {"size": 10, "align": "middle"}})
    net.options = {
        "layout": {"randomSeed": 7},
        "physics": {"solver": "forceAtlas2Based", "stabilization": {"iterations": 250},
                    "forceAtlas2Based": {"gravitationalConstant": -90, "centralGravity": 0.02, "springLength": 140, "avoidOverlap": 0.6}},
        "interaction": {"hover": True, "tooltipDelay": 120, "navigationButtons": False},
        "nodes": {"font": {"strokeWidth": 4, "strokeColor": "#ffffff", "face": FONT}},
        "edges": {"color": {"color": "#b0b0b0", "highlight": "#444"}, "smooth": {"type": "continuous"}},
    }  # fmt: skip
    left_out = len(entities) - len(keep)
    note = f"{len(keep)} 个实体、{len(net.edges)} 条关系" + (f"（另有 {left_out} 个无关系或连接较少的实体未显示，可用 kg query 查询）" if left_out else "")
    return net, note


def render(net: Network, note: str, heading: str = "卫生健康知识图谱") -> str:
    """The page as a string, with vis-network inlined."""
    import jinja2

    lib = Path(__import__("pyvis").__file__).parent / "lib" / "vis-9.1.2"
    env = jinja2.Environment(autoescape=True)
    names = chinese_names()
    drawn = {node["cls"] for node in net.nodes}
    return env.from_string(TEMPLATE.read_text(encoding="utf-8")).render(
        heading=heading,
        note=note,
        vis_js=_markup(lib / "vis-network.min.js"),
        vis_css=_markup(lib / "vis-network.css"),
        nodes=safe_json(net.nodes),
        edges=safe_json(net.edges),
        options=safe_json(net.options),
        font=_markup_text(FONT),
        legend=[(cls, names.get(cls, cls), colour) for cls, colour in COLOURS.items() if cls in drawn],
    )


def _markup(path: Path):
    return _markup_text(path.read_text(encoding="utf-8"))


def _markup_text(text: str):
    """Our own text, inserted in the page as it is (not escaped)."""
    from markupsafe import Markup

    return Markup(text)


def page(seen: Collector, max_nodes: int = 1500) -> str:
    """The whole ``graph.html`` page."""
    return render(*network(seen, max_nodes))


def write(html: str, path: Path) -> None:
    """Write a page to ``path`` atomically."""
    atomic_write(path, lambda tmp: tmp.write_text(html, encoding="utf-8"))
