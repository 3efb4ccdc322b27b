"""kg serve: the SPARQL 1.1 Protocol over the seed graph, with a standard client, and
the server holding up against runaway queries, hostile pages, odd parameters, stalled
clients and rebuilds of its graph folder."""

from __future__ import annotations

import base64
import hashlib
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from SPARQLWrapper import CSV, JSON, TSV, XML, SPARQLWrapper
from SPARQLWrapper.SPARQLExceptions import EndPointInternalError, QueryBadFormed, SPARQLWrapperException

from servers import cpu_seconds, free_port, kg_command, process_tree, running, still_running

HOSPITALS = "PREFIX kg: <https://example.org/kg/ontology#> PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> SELECT ?l WHERE { ?h a kg:Hospital ; rdfs:label ?l } ORDER BY ?l"


@pytest.fixture(scope="module")
def server(seed_build):
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    command = kg_command() + ["serve", str(seed_build.out_dir), "--port", str(port), "--timeout", "3", "--max-rows", "50"]
    with running(command, base + "/sparql?query=ASK%7B%7D"):
        yield base


def start(out_dir, *options: str, **popen):
    """``kg serve out_dir`` with ``options`` on a free loopback port: ``(base URL, context
    manager yielding the process)``."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    return base, running(kg_command() + ["serve", str(out_dir), "--port", str(port), *options], base + "/sparql?query=ASK%7B%7D", **popen)


def get(url: str, timeout: float = 30, **headers) -> tuple[int, dict, bytes]:
    """``(status, headers, body)`` of a GET, whatever the status."""
    request = urllib.request.Request(url, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def ask(base: str, sparql: str, timeout: float = 30) -> tuple[int, bytes]:
    status, _, body = get(base + "/sparql?" + urllib.parse.urlencode({"query": sparql}), timeout, Accept="application/sparql-results+json")
    return status, body


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


# ---- runaway queries ------------------------------------------------------------------------

#: Three copies of every triple joined: on the seed graph it would run for hours.
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE {{ ?a ?b ?c . ?d ?e ?f . ?g ?h ?i FILTER(?i != {}) }}"


def runaways(base: str, count: int) -> list:
    """``count`` runaway queries sent at once, each from a thread of its own; the list
    fills with their answers ``(status, body)`` (or the error that ended them)."""
    answers = []

    def send(n: int) -> None:
        try:
            answers.append(ask(base, RUNAWAY.format(n), timeout=60))
        except OSError as error:
            answers.append(error)

    for n in range(count):
        threading.Thread(target=send, args=(n,), daemon=True).start()
    return answers


def wait_for(answers: list, count: int, seconds: float) -> list:
    """``answers`` once ``count`` have come, waiting at most ``seconds``."""
    until = time.monotonic() + seconds
    while len(answers) < count and time.monotonic() < until:
        time.sleep(0.05)
    return answers


def test_queries_past_their_deadline_stop_using_cpu_and_others_are_answered_meanwhile(seed_build):
    base, server = start(seed_build.out_dir, "--timeout", "2")
    with server as process:
        started = time.monotonic()
        in_flight = runaways(base, 4)
        time.sleep(0.5)
        asked = time.monotonic()
        assert ask(base, "ASK {}", timeout=10) == (200, b'{"head": {}, "boolean": true}')
        assert time.monotonic() - asked < 1, "ASK {} waited for the runaway queries"
        for status, body in wait_for(in_flight, 4, 10):
            assert status == 503 and b"longer than the 2 s limit" in body
        assert len(in_flight) == 4
        assert time.monotonic() - started < 4
        time.sleep(1)  # the deadline was at most a second ago
        tree = process_tree(process.pid)
        before = cpu_seconds(tree)
        time.sleep(1)
        after = cpu_seconds(tree)
        used = sum(after[pid] - before[pid] for pid in after.keys() & before.keys())
        assert used < 0.3, f"the server's processes used {used:.2f} s of CPU in the second after the deadline"
        assert ask(base, "ASK { ?s a kg:Hospital }") == (200, b'{"head": {}, "boolean": true}')


@pytest.mark.parametrize("sent", [signal.SIGINT, signal.SIGTERM], ids=["ctrl-c", "sigterm"])
def test_ctrl_c_and_sigterm_stop_the_server_and_its_queries_within_two_seconds(seed_build, sent):
    base, server = start(seed_build.out_dir, "--timeout", "60", start_new_session=True)
    with server as process:
        runaways(base, 2)
        time.sleep(1)
        tree = process_tree(process.pid)
        stopped = time.monotonic()
        if sent == signal.SIGINT:
            os.killpg(process.pid, sent)  # as a terminal sends Ctrl-C: to the whole process group
        else:
            process.send_signal(sent)
        process.wait(2)
        while still_running(tree) and time.monotonic() - stopped < 2:
            time.sleep(0.05)
        assert not still_running(tree), "processes of the server still run"
        assert time.monotonic() - stopped < 2.1


# ---- SERVICE, CORS and the pages' headers ------------------------------------------------------


class Listener:
    """A loopback port that records whoever connects (and answers nothing)."""

    def __init__(self):
        self.socket = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.socket.getsockname()[1]}/sparql"
        self.connections = 0
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while True:
            try:
                connection, _ = self.socket.accept()
            except OSError:
                return
            self.connections += 1
            connection.close()


@pytest.fixture
def listener():
    listening = Listener()
    yield listening
    listening.socket.close()


@pytest.mark.parametrize("pattern", [
    "SERVICE <{url}> {{ ?s ?p ?o }}",
    "service silent <{url}> {{ ?s ?p ?o }}",
    "BIND(<{url}> AS ?u) SERVICE ?u {{ ?s ?p ?o }}",
    "?s ?p ?o.SERVICE <{url}> {{ ?s ?p ?o }}",
])  # fmt: skip
def test_service_is_refused_by_default_and_the_endpoint_never_contacted(server, listener, pattern):
    status, body = ask(server, "SELECT * WHERE { " + pattern.format(url=listener.url) + " }")
    assert status == 400 and b"SERVICE" in body and b"--allow-service" in body
    closed = "http://127.0.0.1:%d/sparql" % free_port()
    assert ask(server, "SELECT * WHERE { " + pattern.format(url=closed) + " }") == (status, body.replace(listener.url.encode(), closed.encode()))
    time.sleep(0.2)
    assert listener.connections == 0


def test_service_text_inside_strings_iris_and_names_is_not_refused(server):
    status, _ = ask(server, 'SELECT ?service WHERE { BIND("SERVICE <http://x> {}" AS ?service) ?s <http://x/SERVICE> ?o } # SERVICE')
    assert status == 200


@pytest.fixture(scope="module")
def open_server(seed_build):
    """A server that allows one origin and one federated endpoint: itself."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    command = kg_command() + ["serve", str(seed_build.out_dir), "--port", str(port), "--cors", "https://app.example", "--allow-service", base + "/sparql"]
    with running(command, base + "/sparql?query=ASK%7B%7D"):
        yield base


def test_service_runs_only_on_an_allowed_endpoint_and_its_failures_say_nothing_of_the_port(open_server, listener):
    status, body = ask(open_server, f"SELECT ?l WHERE {{ SERVICE <{open_server}/sparql> {{ ?h a kg:Hospital ; rdfs:label ?l }} }}")
    assert status == 200 and "濮阳市第三人民医院" in body.decode("utf-8")
    status, body = ask(open_server, f"SELECT * WHERE {{ SERVICE <{listener.url}> {{ ?s ?p ?o }} }}")
    assert status == 400 and b"not an allowed endpoint" in body and listener.connections == 0


def test_cors_is_off_by_default_and_allows_only_the_named_origin(server, open_server):
    query = "/sparql?query=ASK%7B%7D"
    _, headers, _ = get(server + query, Origin="https://evil.example")
    assert "Access-Control-Allow-Origin" not in headers
    _, headers, _ = get(open_server + query, Origin="https://app.example")
    assert headers["Access-Control-Allow-Origin"] == "https://app.example"
    request = urllib.request.Request(open_server + "/sparql", method="OPTIONS", headers={
        "Origin": "https://app.example", "Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "content-type"})  # fmt: skip
    with urllib.request.urlopen(request) as response:
        assert response.status == 204 and "POST" in response.headers["Access-Control-Allow-Methods"]
        assert response.headers["Access-Control-Allow-Origin"] == "https://app.example"


def test_the_explorer_page_forbids_framing_and_any_script_but_its_own(server):
    status, headers, page = get(server + "/")
    assert status == 200
    assert headers["X-Frame-Options"] == "DENY" and headers["X-Content-Type-Options"] == "nosniff"
    policy = dict(part.strip().split(" ", 1) for part in headers["Content-Security-Policy"].split(";") if part.strip())
    assert policy["default-src"] == "'none'" and policy["frame-ancestors"] == "'none'"
    scripts = re.findall(rb"<script>(.*?)</script>", page, re.S)
    assert len(scripts) == 2
    for script in scripts:
        assert "'sha256-%s'" % base64.b64encode(hashlib.sha256(script).digest()).decode() in policy["script-src"].split()
    assert "unsafe-inline" not in policy["script-src"] and "unsafe-eval" not in policy["script-src"]


# ---- the explorer's API ----------------------------------------------------------------------------


@pytest.mark.parametrize("path, status, sentence", [
    ("/api/entity?iri=a", 400, b"absolute IRI"),
    ("/api/entity?iri=https%3A%2F%2Fexample.org%2Fkg%2Fid%2F%09x", 400, b"absolute IRI"),
    ("/api/article?iri=https%3A%2F%2Fexample.org%2Fkg%2Fid%2F%0Dx", 400, b"absolute IRI"),
    ("/api/entity?iri=http%3A%2F%2Fx%25zz", 400, b"absolute IRI"),
    ("/api/entity", 400, b"iri="),
    ("/api/article", 400, b"iri="),
    ("/api/search", 400, b"q="),
    ("/api/search?q=%E6%B4%9B&limit=many", 400, b"limit"),
    ("/api/entity?iri=urn%3Anothing", 404, b"no entity urn:nothing"),
])  # fmt: skip
def test_explorer_api_answers_bad_parameters_with_a_sentence(server, path, status, sentence):
    got, headers, body = get(server + path)
    assert got == status and sentence in body and headers["Content-Type"].startswith("text/plain")
    assert b"Traceback" not in body and body.endswith(b"\n")


@pytest.mark.parametrize("path", ["/api/search?q=SERVICE%20%3Fu", "/api/schema?q=1", "/api/search?q=%E6%B4%9B%E9%98%B3&iri=x"])
def test_explorer_api_takes_search_text_as_text_and_ignores_other_parameters(server, path):
    status, headers, body = get(server + path)
    assert status == 200 and headers["Content-Type"].startswith("application/json")
    json.loads(body)


def test_explorer_api_waits_for_the_same_query_processes_as_sparql(seed_build):
    base, server = start(seed_build.out_dir, "--workers", "1", "--timeout", "2")
    with server:
        runaway = runaways(base, 1)
        time.sleep(0.3)
        asked = time.monotonic()
        status, _, body = get(base + "/api/search?q=%E6%B4%9B%E9%98%B3")
        assert time.monotonic() - asked > 1.4, "the API call ran beside the query holding the only process"
        assert wait_for(runaway, 1, 5)[0][0] == 503
        assert (status == 200 and "洛阳市" in body.decode("utf-8")) or (status == 503 and b"busy" in body)


# ---- connections: bursts, stalls, big bodies -------------------------------------------------------


def test_a_burst_of_connections_is_accepted_at_once(server):
    port = int(server.rsplit(":", 1)[1])
    count = 100
    ready = threading.Barrier(count)
    seconds, sockets = [], []

    def connect():
        ready.wait()
        began = time.monotonic()
        sockets.append(socket.create_connection(("127.0.0.1", port), timeout=10))
        seconds.append(time.monotonic() - began)

    threads = [threading.Thread(target=connect) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for connection in sockets:
        connection.close()
    assert len(seconds) == count and max(seconds) < 0.5, f"the slowest connection took {max(seconds):.2f} s"


def test_stalled_clients_are_dropped_after_the_timeout_and_others_still_answered(server):
    port = int(server.rsplit(":", 1)[1])
    stalled = []
    for n in range(20):
        connection = socket.create_connection(("127.0.0.1", port), timeout=10)
        if n % 2:  # claims a body it never sends
            connection.sendall(b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Type: application/sparql-query\r\nContent-Length: 1000\r\n\r\nASK")
        else:  # never ends its headers
            connection.sendall(b"GET /sparql?query=ASK%7B%7D HTTP/1.1\r\nHost: x\r\n")
        stalled.append(connection)
    began = time.monotonic()
    assert ask(server, "ASK {}")[0] == 200
    for connection in stalled:
        try:
            while connection.recv(4096):
                pass
        except socket.timeout:
            pytest.fail("a stalled connection was still open after 10 s")
        finally:
            connection.close()
    assert time.monotonic() - began < 3 + 1.5  # the server's --timeout is 3 s


def test_a_body_over_the_limit_gets_413_at_once(server):
    port = int(server.rsplit(":", 1)[1])
    with socket.create_connection(("127.0.0.1", port), timeout=5) as connection:
        connection.sendall(b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Type: application/sparql-query\r\nContent-Length: 1073741824\r\n\r\n")
        answer = b""
        while chunk := connection.recv(4096):
            answer += chunk
    assert answer.startswith(b"HTTP/1.0 413") and b"over the limit" in answer


# ---- rebuilds -----------------------------------------------------------------------------------------------


def test_after_a_rebuild_the_server_answers_from_the_new_graph_and_never_from_a_deleted_one(tmp_path):
    from kg.build import build

    pages, out = tmp_path / "in", tmp_path / "out"
    pages.mkdir()
    (pages / "p.txt").write_text("2019年，驻马店市荣获全国脱贫攻坚奖。", encoding="utf-8")
    build([pages], out, rules_only=True, progress=False)
    zhumadian = 'ASK { ?c rdfs:label "驻马店市" }'
    luoyang = 'ASK { ?c rdfs:label "洛阳市" }'
    base, server = start(out, "--timeout", "5")
    with server:
        assert [ask(base, zhumadian)[1], ask(base, luoyang)[1]] == [b'{"head": {}, "boolean": true}', b'{"head": {}, "boolean": false}']
        (pages / "p.txt").write_text("2020年，洛阳市荣获全国脱贫攻坚奖。", encoding="utf-8")
        build([pages], out, rules_only=True, progress=False)
        assert [ask(base, zhumadian)[1], ask(base, luoyang)[1]] == [b'{"head": {}, "boolean": false}', b'{"head": {}, "boolean": true}']
        shutil.rmtree(out / "store")
        status, body = ask(base, luoyang)
        assert status == 503 and b"kg build" in body
        build([pages], out, rules_only=True, progress=False)
        assert ask(base, luoyang) == (200, b'{"head": {}, "boolean": true}')


# ---- the load check -------------------------------------------------------------------------------------------------


def test_the_load_check_reports_every_setting_with_and_without_runaway_queries(seed_build, tmp_path):
    script = Path(__file__).resolve().parent.parent / "benchmarks" / "serve_load.py"
    figures = tmp_path / "load.json"
    command = [sys.executable, str(script), "--graph", str(seed_build.out_dir), "--clients", "2,4", "--requests", "40", "--runaways", "1", "--timeout", "1", "--json", str(figures)]
    subprocess.run(command, check=True, timeout=120, capture_output=True)
    settings = json.loads(figures.read_text())["settings"]
    assert [(s["clients"], s["runaways"]) for s in settings] == [(2, 0), (2, 1), (4, 0), (4, 1)]
    assert all(s["requests"] == 40 and s["failed"] == 0 and 0 < s["p50_ms"] <= s["p99_ms"] <= s["max_ms"] for s in settings)
    assert settings[1]["runaway_answers"] == [503]
