"""From extractions to RDF: entities, relations, fundings and their provenance, as
Oxigraph quads under the ontology in ``ontology/kg.ttl``.

Each article's statements go in a named graph named after the article; region
hierarchy from the gazetteer goes in the default graph. IRIs are stable: an entity's
IRI comes from its canonical label, so the same body named in two articles is one node.

>>> entity_iri("https://example.org/kg/", "洛阳市卫生健康委员会")
'https://example.org/kg/id/洛阳市卫生健康委员会'
>>> entity_iri("https://example.org/kg/", "<script>alert(1)</script>")
'https://example.org/kg/id/%3Cscript%3Ealert%281%29%3C%2Fscript%3E'
"""

from __future__ import annotations

import functools
import hashlib
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Iterable, Iterator
from urllib.parse import quote

import pyoxigraph as ox
from rdflib.namespace import PROV, RDF, RDFS

from kg import __version__, gazetteer
from kg.extract import Extraction
from kg.gazetteer import Region
from kg.namespace import KG
from kg.rules import Mention
from kg.store import PREFIXES, line_digest

ONTOLOGY_FILE = Path(__file__).resolve().parent.parent / "ontology" / "kg.ttl"
XSD = "http://www.w3.org/2001/XMLSchema#"
DCTERMS_TITLE = ox.NamedNode("http://purl.org/dc/terms/title")
# An article's metadata from its file (a web page's, a PDF's, a Word file's): Dublin Core terms.
DCTERMS_METADATA = {name: ox.NamedNode(f"http://purl.org/dc/terms/{name}") for name in ("source", "publisher", "creator")}
DCTERMS_DATE = ox.NamedNode("http://purl.org/dc/terms/date")
DEFAULT = ox.DefaultGraph()


def _n(term: str) -> ox.NamedNode:
    return ox.NamedNode(str(term))


# The vocabulary as Oxigraph terms, made once from the rdflib namespace (one source of truth).
T = {name: _n(getattr(KG, name)) for name in KG.__annotations__}
TYPE, LABEL = _n(RDF.type), _n(RDFS.label)
STATEMENT, SUBJECT, PREDICATE, OBJECT = _n(RDF.Statement), _n(RDF.subject), _n(RDF.predicate), _n(RDF.object)
DERIVED, ATTRIBUTED, AGENT = _n(PROV.wasDerivedFrom), _n(PROV.wasAttributedTo), _n(PROV.SoftwareAgent)
DATASET = _n(PROV.Entity)


@functools.lru_cache(maxsize=65536)  # the same names come back in article after article
def _safe(text: str) -> str:
    """Percent-encode everything in an IRI segment but letters, digits and Chinese."""
    return "".join(ch if ch.isalnum() and ch not in "<>" or ch in "-_.~+" else quote(ch, safe="") for ch in text)


def entity_iri(base: str, label: str) -> str:
    return f"{base}id/{_safe(label)}"


def triple_key(s: str, p: str, o: str) -> str:
    """The kg:tripleKey of a statement: the first 16 hex digits of the SHA-1 of its
    subject, predicate and object IRIs joined by spaces, the same for every statement
    of one triple, so a query goes from a triple to its statements in one lookup:
    ``BIND(SUBSTR(SHA1(CONCAT(STR(?s), " ", STR(?p), " ", STR(?o))), 1, 16) AS ?key)``.

    >>> triple_key("https://example.org/kg/id/洛阳市", str(KG.runs), "https://example.org/kg/id/春苗工程")
    '6d9106421ba269f9'
    """
    return hashlib.sha1(f"{s} {p} {o}".encode("utf-8")).hexdigest()[:16]


def _own_first(ntriples: bytes, graph: str | None) -> tuple[bytes, int, list[str]]:
    """A record's N-Triples with its own lines first (those whose subject is the article,
    ``graph``, or named below it: its mentions, statements, fundings), then the lines
    another article may state too; where those begin; and their digests.

    >>> text, at, digests = _own_first(b'<e> <p> "y" .\\n<g/m1> <p> "x" .\\n', "<g>")
    >>> text, at, digests == [line_digest(b'<e> <p> "y" .')]
    (b'<g/m1> <p> "x" .\\n<e> <p> "y" .\\n', 17, True)
    """
    if graph is None:
        return ntriples, len(ntriples), []
    own_prefix, below = graph.encode("utf-8") + b" ", graph[:-1].encode("utf-8") + b"/"
    own, shared = [], []
    for line in ntriples.splitlines(keepends=True):
        (own if line.startswith(below) or line.startswith(own_prefix) else shared).append(line)
    head = b"".join(own)
    return head + b"".join(shared), len(head), sorted({line_digest(line.rstrip(b"\n")) for line in shared})


def _reified(statement: ox.NamedNode, s, p, o, g) -> Iterator[ox.Quad]:
    """The quads that make ``statement`` stand for the triple ``s p o``: its type, its
    three parts and its ``kg:tripleKey``. Provenance is the caller's."""
    yield ox.Quad(statement, TYPE, STATEMENT, g)
    yield ox.Quad(statement, SUBJECT, s, g)
    yield ox.Quad(statement, PREDICATE, p, g)
    yield ox.Quad(statement, OBJECT, o, g)
    yield ox.Quad(statement, T["tripleKey"], _str(triple_key(s.value, p.value, o.value)), g)


@functools.lru_cache(maxsize=65536)
def _int(value: int) -> ox.Literal:
    return ox.Literal(str(value), datatype=ox.NamedNode(XSD + "integer"))


def _dec(value: Decimal | float) -> ox.Literal:
    return ox.Literal(format(Decimal(str(value)).normalize(), "f"), datatype=ox.NamedNode(XSD + "decimal"))


def _str(value: str) -> ox.Literal:
    return ox.Literal(value)


@dataclass
class ArticleRecord:
    """Everything one article (or the ontology header, or the region hierarchy) adds to
    the graph: its triples as N-Triples and as Turtle (UTF-8), its graph name in ``graph.trig``
    (None: the default graph), and what the summary counts and the view draws.
    Self-contained, so it can come from a worker process, a Dask worker or the cache."""

    ntriples: bytes
    turtle: bytes  # the same triples as Turtle, without @prefix lines
    graph: str | None
    title: str
    entities: list[tuple[str, str, str]]  # (IRI, class, label)
    relations: list[tuple[str, str, str]]  # (subject IRI, property, object IRI)
    evidence: dict[str, str]  # an entity's IRI, or "subject property object", -> the sentence that says it
    regions: list[str]
    mentions: int = 0
    fundings: int = 0
    statements: int = 0
    # Digests (:func:`~kg.store.line_digest`) of the lines whose subject is not the
    # article's own (an entity's type, label, relations): the only lines another article
    # may state too, so a patched store keeps a removed one that an unchanged article holds.
    shared: list[str] = field(default_factory=list)
    shared_at: int = 0  # where those lines begin in ``ntriples``: the article's own come first


@dataclass
class Counts:
    """What the graph holds, for the build summary."""

    articles: int = 0
    entities: Counter = field(default_factory=Counter)  # class -> distinct entities
    relations: Counter = field(default_factory=Counter)  # property -> distinct triples
    fundings: int = 0
    mentions: int = 0
    statements: int = 0  # relation statements with their evidence (a relation said twice counts twice)
    _seen_entities: set = field(default_factory=set)
    _seen_relations: set = field(default_factory=set)
    _iris: set = field(default_factory=set)

    def add(self, record: ArticleRecord) -> None:
        """Count one record's contribution."""
        self.articles += record.graph is not None
        self.mentions += record.mentions
        self.fundings += record.fundings
        self.statements += record.statements
        for iri, cls, _ in record.entities:
            if (iri, cls) not in self._seen_entities:
                self._seen_entities.add((iri, cls))
                self.entities[cls] += 1
                self._iris.add(iri)
        for key in record.relations:
            if key not in self._seen_relations:
                self._seen_relations.add(key)
                self.relations[key[1]] += 1

    @property
    def distinct_entities(self) -> int:
        return len(self._iris)

    @property
    def distinct_relations(self) -> int:
        return len(self._seen_relations)


@dataclass
class _Tally:
    """What the quads of one record introduce, noted while they are made."""

    entities: dict = field(default_factory=dict)  # (IRI, class) -> label
    relations: set = field(default_factory=set)
    evidence: dict = field(default_factory=dict)
    mentions: int = 0
    fundings: int = 0
    statements: int = 0


class GraphBuilder:
    """Turns :class:`~kg.extract.Extraction` objects into records of quads."""

    def __init__(self, base_iri: str, extractor: str = "rules", version: str = __version__):
        self.base = base_iri if base_iri.endswith("/") else base_iri + "/"
        self.agent = _n(f"{self.base}agent/{_safe(extractor)}/{_safe(version)}")
        self.extractor, self.version = extractor, version
        self.prefixes = dict(PREFIXES, id=f"{self.base}id/")
        self._regions: dict[str, Region] = {}
        self._typed: set[tuple[str, str]] = set()
        self._tally = _Tally()
        self._article_regions: list[Region] = []

    def article(self, ex: Extraction, source_file: str) -> ArticleRecord:
        """One article's :class:`ArticleRecord`."""
        self._article_regions = []
        graph = f"<{self.base}article/{_safe(ex.article.id)}>"
        return self.record(self.article_quads(ex, source_file), graph, ex.article.title or ex.text[:30])

    def record(self, quads: Iterable[ox.Quad], graph: str | None = None, title: str = "") -> ArticleRecord:
        """The record of some quads (``graph``: their graph name in ``graph.trig``).

        >>> b = GraphBuilder("https://example.org/kg/")
        >>> r = b.record(b.gazetteer_quads(["410300"]))
        >>> r.relations, r.turtle.decode().splitlines()[0]
        ([('https://example.org/kg/id/洛阳市', 'partOf', 'https://example.org/kg/id/河南省')], 'id:河南省 a kg:Province ;')
        """
        self._tally = tally = _Tally()
        triples = [q.triple for q in quads]
        turtle = ox.serialize(triples, format=ox.RdfFormat.TURTLE, prefixes=self.prefixes)
        self._tally = _Tally()
        ntriples, shared_at, shared = _own_first(ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES), graph)
        return ArticleRecord(
            ntriples, _without_prefixes(turtle), graph, title,
            sorted((iri, cls, label) for (iri, cls), label in tally.entities.items()), sorted(tally.relations), tally.evidence,
            sorted({r.code for r in self._article_regions}) if graph else [], tally.mentions, tally.fundings, tally.statements,
            shared, shared_at,
        )  # fmt: skip

    # -- public -------------------------------------------------------------------

    def header(self) -> Iterator[ox.Quad]:
        """The ontology and the extractor agents, in the default graph. The ontology's
        blank nodes are canonically named, so every build writes the same ones."""
        ontology = ox.Dataset(ox.Quad(t.subject, t.predicate, t.object, DEFAULT) for t in ox.parse(path=str(ONTOLOGY_FILE), format=ox.RdfFormat.TURTLE))
        ontology.canonicalize(ox.CanonicalizationAlgorithm.UNSTABLE)
        yield from sorted(ontology, key=str)
        for agent, name, version in ((self.agent, self.extractor, self.version), (self._gazetteer_agent(), "gazetteer", "cpca")):
            yield ox.Quad(agent, TYPE, AGENT, DEFAULT)
            yield ox.Quad(agent, LABEL, _str(f"kg {name}"), DEFAULT)
            yield ox.Quad(agent, T["version"], _str(version), DEFAULT)
        source = self._gazetteer_source()
        yield ox.Quad(source, TYPE, DATASET, DEFAULT)
        yield ox.Quad(source, LABEL, _str("GB/T 2260 administrative divisions (cpca package)"), DEFAULT)

    def article_quads(self, ex: Extraction, source_file: str) -> Iterator[ox.Quad]:
        """Everything one article contributes, in the article's named graph."""
        article = _n(f"{self.base}article/{_safe(ex.article.id)}")
        g = article
        yield ox.Quad(article, TYPE, T["Article"], g)
        yield ox.Quad(article, LABEL, _str(ex.article.title or ex.text[:30]), g)
        if ex.article.title:
            yield ox.Quad(article, DCTERMS_TITLE, _str(ex.article.title), g)
        yield ox.Quad(article, T["sourceFile"], _str(source_file), g)
        yield ox.Quad(article, T["cleanText"], _str(ex.text), g)
        if ex.article.byline:
            yield ox.Quad(article, T["byline"], _str(ex.article.byline), g)
        if ex.article.date:
            yield ox.Quad(article, DCTERMS_DATE, ox.Literal(ex.article.date, datatype=ox.NamedNode(XSD + "date")), g)
        for name, value in (("source", ex.article.source), ("publisher", ex.article.publisher), ("creator", ex.article.author)):
            if value:
                yield ox.Quad(article, DCTERMS_METADATA[name], _str(value), g)
        if ex.article.region is not None:
            region = self._region_node(ex.article.region)
            yield ox.Quad(article, T["aboutRegion"], region, g)
            yield from self._region_quads(ex.article.region, g)
        for m in ex.mentions:
            yield from self._mention_quads(ex, m, article, g)
        # A fact the article states twice (a headline restating the body) is one statement,
        # its other sentences kept as kg:restatedIn; the same for an amount said twice.
        said: dict[tuple, list] = {}
        for r in ex.relations:
            yield from self._entity_quads(r.head, g)
            if r.tail is None:  # 以奖代补 kg:targets "工作突出的县、市"
                tail = _str(r.literal)
            else:
                yield from self._entity_quads(r.tail, g)
                tail = self._entity(r.tail)
            said.setdefault((self._entity(r.head), r.prop, tail), []).append((r.position, r.confidence))
        for (head, prop, tail), places in said.items():
            yield from self._statement(head, T[prop], tail, ex, places, article, g, prop)
        amounts: dict[tuple, list] = {}
        for f in ex.fundings:
            amounts.setdefault((f.amount.yuan, f.amount.text, f.funder.label if f.funder else None), []).append(f)
        for same in amounts.values():
            yield from self._funding_quads(ex, same, article, g)

    def gazetteer_quads(self, codes: Iterable[str] = ()) -> Iterator[ox.Quad]:
        """partOf for every region the graph names (those seen by this builder and the
        ``codes`` given), up to its province, in the default graph."""
        gaz = gazetteer.load()
        for code in codes:
            if code in gaz.by_code:
                self._regions.setdefault(code, gaz.by_code[code])
        done: set[str] = set()
        for code, region in list(self._regions.items()):
            child = region
            for parent in gaz.ancestors(region):
                if child.code in done:
                    break
                done.add(child.code)
                yield from self._region_quads(parent, DEFAULT)
                s, o = self._region_node(child), self._region_node(parent)
                yield ox.Quad(s, T["partOf"], o, DEFAULT)
                statement = _n(f"{self.base}statement/gazetteer/{child.code}")
                yield from _reified(statement, s, T["partOf"], o, DEFAULT)
                yield ox.Quad(statement, DERIVED, self._gazetteer_source(), DEFAULT)
                yield ox.Quad(statement, ATTRIBUTED, self._gazetteer_agent(), DEFAULT)
                yield ox.Quad(statement, T["confidence"], _dec(1), DEFAULT)
                self._tally.relations.add((s.value, "partOf", o.value))
                self._tally.statements += 1
                child = parent

    # -- pieces -------------------------------------------------------------------

    def _gazetteer_agent(self) -> ox.NamedNode:
        return _n(f"{self.base}agent/gazetteer/cpca")

    def _gazetteer_source(self) -> ox.NamedNode:
        return _n(f"{self.base}source/gb-t-2260")

    def _entity(self, m: Mention) -> ox.NamedNode:
        return _n(entity_iri(self.base, m.label))

    def _region_node(self, region: Region) -> ox.NamedNode:
        return _n(entity_iri(self.base, region.name))

    def _region_quads(self, region: Region, g) -> Iterator[ox.Quad]:
        node = self._region_node(region)
        if region.code:
            self._regions.setdefault(region.code, region)
            if g != DEFAULT:
                self._article_regions.append(region)
        key = (str(node), region.level)
        if key in self._typed and g == DEFAULT:
            return
        yield ox.Quad(node, TYPE, T[region.level], g)
        yield ox.Quad(node, LABEL, _str(region.name), g)
        if region.code:
            yield ox.Quad(node, T["regionCode"], _str(region.code), g)
        self._tally.entities.setdefault((node.value, region.level), region.name)
        self._typed.add(key)

    def _entity_quads(self, m: Mention, g) -> Iterator[ox.Quad]:
        if m.region is not None:
            yield from self._region_quads(m.region, g)
            return
        node = self._entity(m)
        yield ox.Quad(node, TYPE, T[m.cls], g)
        yield ox.Quad(node, LABEL, _str(m.label), g)
        self._tally.entities.setdefault((node.value, m.cls), m.label)

    def _mention_quads(self, ex: Extraction, m: Mention, article: ox.NamedNode, g) -> Iterator[ox.Quad]:
        yield from self._entity_quads(m, g)
        node = self._entity(m)
        surface = ex.text[m.start : m.end]
        if surface != m.label:
            yield ox.Quad(node, T["altLabel"], _str(surface), g)
        if m.cls == "Person" and m.extra.get("post"):
            yield ox.Quad(node, T["position"], _str(m.extra["post"]), g)
        mention = _n(f"{article.value}/mention/{m.start}-{m.end}")
        s_start, s_end = ex.sentence_of(m.start)
        yield ox.Quad(mention, TYPE, T["Mention"], g)
        yield ox.Quad(mention, T["mentionOf"], node, g)
        yield ox.Quad(mention, T["surface"], _str(surface), g)
        yield ox.Quad(mention, T["startOffset"], _int(m.start), g)
        yield ox.Quad(mention, T["endOffset"], _int(m.end), g)
        yield ox.Quad(mention, T["evidence"], _str(ex.text[s_start:s_end]), g)
        yield ox.Quad(mention, DERIVED, article, g)
        yield ox.Quad(mention, ATTRIBUTED, self.agent, g)
        yield ox.Quad(mention, T["confidence"], _dec(round(m.score, 3)), g)
        self._tally.mentions += 1
        self._tally.evidence.setdefault(node.value, ex.text[s_start:s_end])
        parent = m.extra.get("parent")
        if parent is not None and parent.label:
            # 临颍县巨陵镇: the township is written right after the county it belongs to.
            yield from self._entity_quads(parent, g)
            yield from self._statement(node, T["partOf"], self._entity(parent), ex, [(m.start, 0.8)], article, g, "partOf")

    def _statement(self, s, p, o, ex: Extraction, places: list[tuple[int, float]], article, g, prop: str) -> Iterator[ox.Quad]:
        """The triple and one reified statement of it for this article: its first sentence
        as the evidence, any other sentence saying it as kg:restatedIn. ``places`` are
        ``(position, confidence)`` of each time the article says it."""
        sentences = sorted({ex.sentence_of(position) for position, _ in places})
        (s_start, s_end), others = sentences[0], sentences[1:]
        confidence = max(c for _, c in places)
        yield ox.Quad(s, p, o, g)
        key = f"{s.value}|{p.value}|{o.value}|{s_start}"
        statement = _n(f"{article.value}/statement/{hashlib.sha1(key.encode()).hexdigest()[:16]}")
        yield from _reified(statement, s, p, o, g)
        yield ox.Quad(statement, DERIVED, article, g)
        yield ox.Quad(statement, T["evidence"], _str(ex.text[s_start:s_end]), g)
        yield ox.Quad(statement, T["startOffset"], _int(s_start), g)
        yield ox.Quad(statement, T["endOffset"], _int(s_end), g)
        for start, end in others:
            yield ox.Quad(statement, T["restatedIn"], _str(ex.text[start:end]), g)
        yield ox.Quad(statement, ATTRIBUTED, self.agent, g)
        yield ox.Quad(statement, T["confidence"], _dec(round(confidence, 3)), g)
        self._tally.relations.add((s.value, prop, o.value))
        self._tally.evidence.setdefault(f"{s.value} {prop} {o.value}", ex.text[s_start:s_end])
        self._tally.statements += 1

    def _funding_quads(self, ex: Extraction, same: list, article, g) -> Iterator[ox.Quad]:
        """One Funding for an amount (with its funder) that the article states once or
        more: the first statement's details, the other sentences as kg:restatedIn."""
        f = next((x for x in same if x.purpose or x.recipient), same[0])
        node = _n(f"{article.value}/funding/{same[0].amount.start}")
        s_start, s_end = ex.sentence_of(same[0].amount.start)
        for start, end in sorted({ex.sentence_of(x.amount.start) for x in same[1:]} - {(s_start, s_end)}):
            yield ox.Quad(node, T["restatedIn"], _str(ex.text[start:end]), g)
        yield ox.Quad(node, TYPE, T["Funding"], g)
        yield ox.Quad(node, LABEL, _str(f"{f.amount.text}：{f.purpose}"[:80]), g)
        yield ox.Quad(node, T["amount"], _dec(f.amount.yuan), g)
        yield ox.Quad(node, T["originalText"], _str(f.amount.text), g)
        if f.purpose:
            yield ox.Quad(node, T["purpose"], _str(f.purpose), g)
        if f.year:
            yield ox.Quad(node, T["year"], _int(f.year), g)
        if f.funder is not None:
            yield from self._entity_quads(f.funder, g)
            yield ox.Quad(node, T["funder"], self._entity(f.funder), g)
        if f.recipient is not None:
            yield from self._entity_quads(f.recipient, g)
            yield ox.Quad(node, T["recipient"], self._entity(f.recipient), g)
        yield ox.Quad(node, T["evidence"], _str(ex.text[s_start:s_end]), g)
        yield ox.Quad(node, T["startOffset"], _int(s_start), g)
        yield ox.Quad(node, T["endOffset"], _int(s_end), g)
        yield ox.Quad(node, DERIVED, article, g)
        yield ox.Quad(node, ATTRIBUTED, self.agent, g)
        yield ox.Quad(node, T["confidence"], _dec(f.confidence), g)
        self._tally.fundings += 1


def _without_prefixes(turtle: bytes) -> bytes:
    while turtle.startswith(b"@prefix "):
        turtle = turtle.split(b"\n", 1)[1]
    return turtle
