"""The seed graph: the facts it must hold, its shape, its provenance, its outputs."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import rdflib

from kg.query import run_query

ROOT = Path(__file__).resolve().parent.parent


def ask(store, sparql: str) -> list[list[str]]:
    return run_query(sparql, store=store)[1]


@pytest.mark.parametrize(
    "head, prop, tail",
    [
        ("焦作市", "runs", "医养中心建设"),
        ("濮阳市第三人民医院", "passed", "二级甲等医院评审"),
        ("开封市中医院", "received", "市长质量奖"),
        ("驻马店市", "received", "全国脱贫攻坚奖"),
        ("许昌市", "runs", "急危重症三级救治网"),
    ],
)
def test_seed_graph_states_the_required_fact_with_its_evidence(seed_store, head, prop, tail):
    rows = ask(seed_store, f"""
        SELECT ?evidence ?file WHERE {{
            ?h rdfs:label "{head}" . ?t rdfs:label "{tail}" . ?h kg:{prop} ?t .
            ?st rdf:subject ?h ; rdf:predicate kg:{prop} ; rdf:object ?t ;
                kg:evidence ?evidence ; prov:wasDerivedFrom/kg:sourceFile ?file .
        }}""")
    assert rows, f"{head} {prop} {tail} is missing"
    evidence, source = rows[0]
    assert head[:2] in evidence or head[:2] in "".join(r[0] for r in rows) and tail[:4] in evidence
    assert source.endswith(".txt")


def test_luoyang_funds_something_with_34_3_yi_yuan(seed_store):
    rows = ask(seed_store, """
        SELECT ?what ?text ?evidence WHERE {
            ?f a kg:Funding ; kg:amount ?amount ; kg:originalText ?text ; kg:evidence ?evidence ;
               kg:funder/rdfs:label "洛阳市" ; kg:recipient ?r . ?r rdfs:label ?what .
            ?funder rdfs:label "洛阳市" ; kg:funds ?r .
            FILTER(?amount = 3430000000)
        }""")
    assert rows and rows[0][1] == "34.3亿元" and "投资34.3亿元" in rows[0][2]


def test_xuchang_program_has_its_34_million_funding(seed_store):
    rows = ask(seed_store, """
        SELECT ?amount ?year WHERE {
            ?f a kg:Funding ; kg:amount ?amount ; kg:year ?year ;
               kg:funder/rdfs:label "许昌市" ; kg:recipient/rdfs:label "急危重症三级救治网" .
        }""")
    assert rows == [["34000000", "2017"]]


def test_seed_graph_is_big_enough(seed_build):
    counts = seed_build.counts
    assert counts.articles == 40
    assert counts.distinct_entities >= 300
    assert counts.statements >= 300  # relation statements, each with its evidence
    assert counts.fundings >= 60


def test_the_same_body_in_two_articles_is_one_node(seed_store):
    rows = ask(seed_store, """
        SELECT (COUNT(DISTINCT ?node) AS ?nodes) (COUNT(DISTINCT ?article) AS ?articles) WHERE {
            ?node rdfs:label "郑州大学第一附属医院" . ?m kg:mentionOf ?node ; prov:wasDerivedFrom ?article .
        }""")
    assert rows == [["1", "3"]]


def test_every_mention_points_into_its_articles_clean_text(seed_store):
    rows = ask(seed_store, """
        SELECT ?surface ?start ?end ?text WHERE {
            ?m a kg:Mention ; kg:surface ?surface ; kg:startOffset ?start ; kg:endOffset ?end ;
               prov:wasDerivedFrom/kg:cleanText ?text .
        }""")
    assert len(rows) > 800
    for surface, start, end, text in rows:
        assert text[int(start) : int(end)] == surface


def test_every_statement_knows_its_extractor_and_confidence(seed_store):
    rows = ask(seed_store, """
        SELECT ?version (COUNT(?st) AS ?n) WHERE {
            ?st a rdf:Statement ; prov:wasAttributedTo ?agent ; kg:confidence ?c . ?agent kg:version ?version .
            FILTER(?c > 0 && ?c <= 1)
        } GROUP BY ?version""")
    versions = {v for v, _ in rows}
    assert "cpca" in versions and any(re.match(r"\d+\.\d+", v) for v in versions)


def test_seed_graph_passes_shacl_validation(seed_build):
    pyshacl = pytest.importorskip("pyshacl")
    data = rdflib.Graph().parse(seed_build.out_dir / "graph.ttl")
    shapes = rdflib.Graph().parse(ROOT / "ontology" / "shapes.ttl")
    conforms, _, report = pyshacl.validate(data, shacl_graph=shapes, ont_graph=rdflib.Graph().parse(ROOT / "ontology" / "kg.ttl"), inference="rdfs", advanced=True)
    assert conforms, report[:3000]


def test_shacl_catches_a_relation_without_provenance(seed_build, tmp_path):
    pyshacl = pytest.importorskip("pyshacl")
    data = rdflib.Graph().parse(seed_build.out_dir / "graph.ttl")
    kg = rdflib.Namespace("https://example.org/kg/ontology#")
    a, b = rdflib.URIRef("https://example.org/kg/id/甲县"), rdflib.URIRef("https://example.org/kg/id/乙项目")
    data.add((a, rdflib.RDF.type, kg.County)), data.add((a, rdflib.RDFS.label, rdflib.Literal("甲县")))
    data.add((b, rdflib.RDF.type, kg.Program)), data.add((b, rdflib.RDFS.label, rdflib.Literal("乙项目")))
    data.add((a, kg.runs, b))
    shapes = rdflib.Graph().parse(ROOT / "ontology" / "shapes.ttl")
    conforms, _, report = pyshacl.validate(data, shacl_graph=shapes, inference="rdfs", advanced=True)
    assert not conforms and "no rdf:Statement" in report


def test_shacl_catches_a_statement_with_a_wrong_triple_key(seed_build):
    pyshacl = pytest.importorskip("pyshacl")
    data = rdflib.Graph().parse(seed_build.out_dir / "graph.ttl")
    key = rdflib.URIRef("https://example.org/kg/ontology#tripleKey")
    statement, old = next(iter(data.subject_objects(key)))
    data.set((statement, key, rdflib.Literal("0" * 16 if str(old) != "0" * 16 else "1" * 16)))
    shapes = rdflib.Graph().parse(ROOT / "ontology" / "shapes.ttl")
    conforms, _, report = pyshacl.validate(data, shacl_graph=shapes, inference="rdfs", advanced=True)
    assert not conforms and "kg:tripleKey is not the key" in report


def test_turtle_and_trig_outputs_parse_and_agree(seed_build):
    from rdflib.compare import isomorphic

    turtle = rdflib.Graph().parse(seed_build.out_dir / "graph.ttl")
    quads = rdflib.Dataset(default_union=True)
    quads.parse(seed_build.out_dir / "graph.trig", format="trig")
    articles = {str(g.identifier) for g in quads.graphs() if "/article/" in str(g.identifier)}
    assert len(articles) == 40
    assert len(turtle) == seed_build.quads
    merged = rdflib.Graph()
    for triple in quads.triples((None, None, None)):
        merged.add(triple)
    assert isomorphic(turtle, merged)


def test_two_builds_in_fresh_processes_write_the_same_bytes(seed_build, tmp_path):
    import os
    import subprocess
    import sys

    for seed in ("1", "2"):  # set and dict order differ between processes unless sorted
        env = dict(os.environ, PYTHONHASHSEED=seed)
        subprocess.run([sys.executable, "-m", "kg.cli", "build", str(ROOT / "seeds"), "-o", str(tmp_path / seed), "-q", "--no-cache"], env=env, check=True, capture_output=True)
    for name in ("graph.trig", "graph.ttl"):
        assert (tmp_path / "1" / name).read_bytes() == (tmp_path / "2" / name).read_bytes() == (seed_build.out_dir / name).read_bytes(), name


def test_html_view_opens_offline_and_escapes_names(seed_build):
    html = (seed_build.out_dir / "graph.html").read_text(encoding="utf-8")
    external = re.findall(r"""<(?:script|link|img)[^>]+(?:src|href)=["']?(?:https?:)?//""", html)
    assert external == []
    assert "vis.Network" in html and "濮阳市第三人民医院" in html
    assert "市长质量奖" in html and "开封市中医院成为全市卫生健康系统首家" in html  # a tooltip's evidence


def test_malicious_name_in_an_article_cannot_run_in_the_view(tmp_path):
    from kg.build import build

    page = tmp_path / "in" / "x.txt"
    page.parent.mkdir()
    page.write_text("2019年，“<script>alert(1)</script>工程”由洛阳市卫生健康委实施。洛阳市荣获全国脱贫攻坚奖。", encoding="utf-8")
    report = build([page.parent], tmp_path / "out")
    html = (report.out_dir / "graph.html").read_text(encoding="utf-8")
    assert "<script>alert(1)" not in html
    rdflib.Graph().parse(report.out_dir / "graph.ttl")  # still valid Turtle


def test_failed_build_leaves_the_previous_outputs_untouched(seed_build, tmp_path, monkeypatch):
    import shutil

    from kg import build as build_module

    out = tmp_path / "out"
    shutil.copytree(seed_build.out_dir, out)
    before = (out / "graph.ttl").read_bytes()

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(build_module.view, "write", broken)
    with pytest.raises(RuntimeError):
        build_module.build([ROOT / "seeds" / "003_106da0d268dfafa7.txt"], out)
    assert (out / "graph.ttl").read_bytes() == before or (out / "graph.ttl").stat().st_size > 0
    assert not [p for p in out.iterdir() if p.name.startswith(".")]


def test_a_fact_stated_twice_in_an_article_is_one_statement_with_both_sentences(tmp_path):
    """A headline restating the body gives one statement (and one Funding), not two."""
    from kg.build import build
    from kg.store import open_store

    page = tmp_path / "in" / "news.txt"
    page.parent.mkdir()
    page.write_text(
        "本报讯 洛阳市投入1200万元建设急危重症三级救治网。\n"
        "据悉，洛阳市投入1200万元建设急危重症三级救治网，覆盖全市各县。\n",
        encoding="utf-8",
    )
    report = build([page.parent], tmp_path / "out", rules_only=True)
    store = open_store(report.out_dir)
    statements = ask(store, """
        SELECT ?st ?evidence ?again WHERE {
            ?h rdfs:label "洛阳市" . ?t rdfs:label "急危重症三级救治网" .
            ?st rdf:subject ?h ; rdf:predicate kg:runs ; rdf:object ?t ; kg:evidence ?evidence .
            OPTIONAL { ?st kg:restatedIn ?again }
        }""")
    assert len(statements) == 1
    _, evidence, again = statements[0]
    assert evidence.startswith("本报讯") and again.startswith("据悉")
    fundings = ask(store, "SELECT ?f ?again WHERE { ?f a kg:Funding ; kg:amount 12000000.0 ; kg:restatedIn ?again }")
    assert len(fundings) == 1


def test_control_characters_in_a_page_leave_sparql_xml_and_rdf_xml_well_formed(tmp_path):
    """A vertical tab and a terminal colour code, pasted from a word processor and a
    console: clean-up drops them, so the XML forms of the graph stay well-formed."""
    import xml.etree.ElementTree as ET

    import pyoxigraph as ox

    from kg.build import build
    from kg.store import open_store

    page = tmp_path / "in" / "pasted.txt"
    page.parent.mkdir()
    filler = "驻马店市卫生健康委员会持续推进健康扶贫工作，取得明显成效。" * 15  # under 1% control characters
    page.write_text(f"\x1b[1m喜报\x1b[0m\n2019年，驻马店市\x0b荣获全国脱贫攻坚奖。\x07{filler}", encoding="utf-8")
    report = build([page.parent], tmp_path / "out")
    assert report.counts.articles == 1 and report.counts.relations["received"] == 1
    store = open_store(report.out_dir)
    results = store.query("SELECT ?s ?p ?o WHERE { ?s ?p ?o }").serialize(format=ox.QueryResultsFormat.XML)
    literals = [e.text for e in ET.fromstring(results).iter("{http://www.w3.org/2005/sparql-results#}literal")]
    assert any("驻马店市" in (text or "") for text in literals)
    ET.fromstring(store.query("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }").serialize(format=ox.RdfFormat.RDF_XML))
    rdflib.Graph().parse(data=ox.serialize([q.triple for q in store], format=ox.RdfFormat.RDF_XML), format="xml")
