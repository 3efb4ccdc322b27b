"""Every named query in queries/ answers its question on the seed graph."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from kg.cli import main
from kg.query import named_queries, resolve_query, run_query


def rows(store, query, **bindings):
    columns, found = run_query(resolve_query(query), store=store, bindings=bindings)
    return [dict(zip(columns, r)) for r in found]


def test_there_are_at_least_ten_named_queries():
    assert len(named_queries()) >= 10


def test_cities_programs_lists_who_runs_what(seed_store):
    found = {(r["region"], r["program"]) for r in rows(seed_store, "cities_programs")}
    assert ("焦作市", "医养中心建设") in found and ("许昌市", "急危重症三级救治网") in found


@pytest.mark.parametrize("name", ["cities_programs", "policies", "cooperation"])
def test_every_row_comes_with_the_sentence_that_says_so(seed_store, name):
    # These queries find the sentence through kg:tripleKey, which SPARQL recomputes with SHA1().
    found = rows(seed_store, name)
    assert found and all(r["evidence"] for r in found)


@pytest.mark.parametrize(
    "name, columns, predicates, objects",
    [
        ("policies", ("by", "relation", "policy"), "issues implements", "?o a kg:Policy ."),
        ("cooperation", ("from", "relation", "to"), "supports partnersWith", ""),
    ],
)
def test_the_evidence_join_leaves_no_relation_out(seed_store, name, columns, predicates, objects):
    # Each row's sentence is found through kg:tripleKey: a key SPARQL recomputed wrongly would drop the row.
    values = " ".join(f'(kg:{p} "{p}")' for p in predicates.split())
    plain = f"SELECT DISTINCT ?a ?relation ?b WHERE {{ VALUES (?p ?relation) {{ {values} }} ?s ?p ?o . {objects} ?s rdfs:label ?a . ?o rdfs:label ?b . }}"
    expected = {(r["a"], r["relation"], r["b"]) for r in rows(seed_store, plain)}
    assert expected and {tuple(r[c] for c in columns) for r in rows(seed_store, name)} == expected


def test_care_facilities_name_the_region_that_runs_them(seed_store):
    found = {r["what"]: r["regions"] for r in rows(seed_store, "care_facilities")}
    assert "焦作市" in found["医养中心建设"]


def test_hospital_accreditations_gives_the_year(seed_store):
    found = {(r["hospital"], r["accreditation"], r["year"]) for r in rows(seed_store, "hospital_accreditations")}
    assert ("濮阳市第三人民医院", "二级甲等医院评审", "2019") in found


def test_funding_by_region_has_luoyangs_34_3_yi(seed_store):
    found = rows(seed_store, "funding_by_region")
    assert any(r["funder"] == "洛阳市" and r["original"] == "34.3亿元" and r["amount"] == "3430000000" for r in found)
    amounts = [float(r["amount"]) for r in found]
    assert amounts == sorted(amounts, reverse=True)


def test_funding_totals_add_up_each_funder(seed_store):
    totals = {r["funder"]: float(r["total_yuan"]) for r in rows(seed_store, "funding_totals")}
    assert totals["许昌市"] >= 34_000_000


def test_shared_programs_are_run_by_several(seed_store):
    found = {r["program"]: int(r["runners"]) for r in rows(seed_store, "shared_programs")}
    assert found and all(n > 1 for n in found.values()) and "健康扶贫" in found


def test_leaders_pairs_people_with_what_they_lead(seed_store):
    found = {(r["person"], r["leads"]) for r in rows(seed_store, "leaders")}
    assert ("王亚玲", "信阳市卫生健康委员会") in found and ("王小平", "焦作市") in found


def test_about_tells_everything_about_one_entity_with_sources(seed_store):
    found = rows(seed_store, "about", name="焦作市")
    assert {r["property"] for r in found} >= {"issues", "runs"}
    assert all(r["file"].endswith(".txt") and r["evidence"] for r in found)


@pytest.mark.parametrize(
    "name, column, expected",
    [
        ("care_facilities", "what", "医养中心建设"),
        ("policies", "policy", "《医养中心发展规划》"),
        ("awards", "award", "全国脱贫攻坚奖"),
        ("cooperation", "to", "河南大学"),
        ("articles_by_region", "region", "漯河市"),
        ("entity_counts", "class", "Hospital"),
    ],
)
def test_named_query_answers_on_the_seeds(seed_store, name, column, expected):
    assert expected in {r[column] for r in rows(seed_store, name)}


def test_unknown_query_name_lists_the_known_ones(seed_build):
    result = CliRunner().invoke(main, ["query", "no_such_query", "-o", str(seed_build.out_dir)])
    assert result.exit_code != 0 and "hospital_accreditations" in result.output


def test_stats_reports_leaders_and_shared_programs(seed_build):
    result = CliRunner().invoke(main, ["stats", str(seed_build.out_dir)])
    assert result.exit_code == 0, result.output
    for heading in ("Most connected", "Brokers", "Communities", "Programs shared across regions", "largest has"):
        assert heading in result.output


def test_every_named_query_gives_the_same_rows_on_rdflib_in_memory(seed_build, seed_store):
    import rdflib

    from kg.store import SPARQL_PREFIXES, rdflib_graph

    graph = rdflib_graph(seed_build.out_dir)
    for name, path in named_queries().items():
        bindings = {"name": "焦作市"} if name == "about" else {}
        in_memory = graph.query(SPARQL_PREFIXES + path.read_text(encoding="utf-8"), initBindings={k: rdflib.Literal(v) for k, v in bindings.items()})
        assert len(list(in_memory)) == len(rows(seed_store, name, **bindings)), name
