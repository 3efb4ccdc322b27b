"""kg serve: the SPARQL 1.1 Protocol over the seed graph, with a standard client."""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request

import pytest
from SPARQLWrapper import CSV, JSON, TSV, XML, SPARQLWrapper
from SPARQLWrapper.SPARQLExceptions import EndPointInternalError, QueryBadFormed, SPARQLWrapperException

from servers import free_port, kg_command, running

HOSPITALS = "PREFIX kg: <https://example.org/kg/ontology#> PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> SELECT ?l WHERE { ?h a kg:Hospital ; rdfs:label ?l } ORDER BY ?l"


@pytest.fixture(scope="module")
def server(seed_build):
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    command = kg_command() + ["serve", str(seed_build.out_dir), "--port", str(port), "--timeout", "3", "--max-rows", "50"]
    with running(command, base + "/sparql?query=ASK%7B%7D"):
        yield base


def client(base: str, fmt, method: str = "GET") -> SPARQLWrapper:
    sparql = SPARQLWrapper(base + "/sparql")
    sparql.setReturnFormat(fmt)
    sparql.setMethod(method)
    return sparql


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_select_returns_sparql_json_over_get_and_post(server, method):
    sparql = client(server, JSON, method)
    sparql.setQuery(HOSPITALS)
    labels = [b["l"]["value"] for b in sparql.queryAndConvert()["results"]["bindings"]]
    assert "濮阳市第三人民医院" in labels and labels == sorted(labels)


@pytest.mark.parametrize("fmt, marker", [(XML, "<sparql"), (CSV, "l\r\n"), (TSV, "?l\n")])
def test_results_come_in_the_format_asked_for(server, fmt, marker):
    sparql = client(server, fmt)
    sparql.setQuery(HOSPITALS)
    body = sparql.query().response.read().decode("utf-8")
    assert marker in body and "濮阳市第三人民医院" in body


def test_ask_and_construct_work(server):
    sparql = client(server, JSON)
    sparql.setQuery("ASK { ?s a <https://example.org/kg/ontology#Award> }")
    assert sparql.queryAndConvert()["boolean"] is True
    request = urllib.request.Request(server + "/sparql?" + urllib.parse.urlencode({"query": "CONSTRUCT { ?s a kg:Award } WHERE { ?s a kg:Award }"}), headers={"Accept": "text/turtle"})
    with urllib.request.urlopen(request) as response:
        assert response.headers["Content-Type"].startswith("text/turtle") and b"Award" in response.read()


def test_a_syntax_error_is_a_400_with_the_parsers_message(server):
    sparql = client(server, JSON)
    sparql.setQuery("SELECT ?x WHERE { ?x rdfs:label }")
    with pytest.raises(QueryBadFormed) as error:
        sparql.query()
    assert "SPARQL syntax error at line 1" in str(error.value)


@pytest.mark.parametrize(
    "data, content_type",
    [
        (b"update=INSERT+DATA+%7B+%3Chttp%3A%2F%2Fx%3E+%3Chttp%3A%2F%2Fy%3E+%3Chttp%3A%2F%2Fz%3E+%7D", "application/x-www-form-urlencoded"),
        (b"INSERT DATA { <http://x> <http://y> <http://z> }", "application/sparql-update"),
        (b"query=DROP+ALL", "application/x-www-form-urlencoded"),
    ],
)
def test_updates_are_refused_and_the_graph_is_unchanged(server, data, content_type):
    request = urllib.request.Request(server + "/sparql", data=data, headers={"Content-Type": content_type}, method="POST")
    with pytest.raises(urllib.error.HTTPError) as error:
        urllib.request.urlopen(request)
    assert error.value.code == 403 and b"read-only" in error.value.read()
    sparql = client(server, JSON)
    sparql.setQuery("ASK { <http://x> ?p ?o }")
    assert sparql.queryAndConvert()["boolean"] is False


def test_a_query_over_the_time_limit_gets_503(server):
    sparql = client(server, JSON)
    sparql.setQuery("SELECT (COUNT(*) AS ?n) WHERE { ?a ?p ?x . ?b ?q ?y . ?c ?r ?z . FILTER(STR(?x) < STR(?y) && STR(?y) < STR(?z)) }")
    with pytest.raises((EndPointInternalError, SPARQLWrapperException, urllib.error.HTTPError)) as error:
        sparql.query()
    assert "503" in str(error.value) or "longer than" in str(error.value)


def test_results_stop_at_the_row_limit_and_say_so(server):
    request = urllib.request.Request(server + "/sparql?" + urllib.parse.urlencode({"query": "SELECT ?s WHERE { ?s ?p ?o }"}), headers={"Accept": "application/sparql-results+json"})
    with urllib.request.urlopen(request) as response:
        assert response.headers["X-Result-Truncated"].startswith("true")
        assert len(json.load(response)["results"]["bindings"]) == 50


def test_explorer_api_finds_an_entity_and_its_neighbourhood(server):
    with urllib.request.urlopen(server + "/api/search?" + urllib.parse.urlencode({"q": "洛阳"})) as response:
        found = json.load(response)
    luoyang = next(f for f in found if f["label"] == "洛阳市")
    with urllib.request.urlopen(server + "/api/entity?" + urllib.parse.urlencode({"iri": luoyang["iri"]})) as response:
        hood = json.load(response)
    assert hood["node"]["class"] == "City" and len(hood["nodes"]) > 3
    assert any(e["evidence"] for e in hood["edges"]) and hood["mentions"][0]["file"].endswith(".txt")


def test_explorer_api_gives_a_programs_target_group_as_a_value_not_a_node(server):
    iri = "https://example.org/kg/id/家庭医生签约服务"
    with urllib.request.urlopen(server + "/api/entity?" + urllib.parse.urlencode({"iri": iri})) as response:
        hood = json.load(response)
    assert {"property": "targets", "value": "贫困人口"} in hood["values"]
    assert all(e["to"].startswith("https://") for e in hood["edges"])


def test_explorer_api_rejects_an_iri_that_would_break_the_query(server):
    with pytest.raises(urllib.error.HTTPError) as error:
        urllib.request.urlopen(server + "/api/entity?" + urllib.parse.urlencode({"iri": "x> } DROP ALL {"}))
    assert error.value.code == 400
