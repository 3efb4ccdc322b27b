"""The kg command as a user types it."""

from __future__ import annotations

import json
import re
import socket
import subprocess
import sys

import pytest
from click.testing import CliRunner

from kg.cli import main


def run(*args: str):
    return CliRunner().invoke(main, list(args))


def kg(*args: str, cwd=None) -> subprocess.CompletedProcess:
    """The real ``kg`` command in a process of its own, as a user runs it."""
    return subprocess.run([sys.executable, "-m", "kg.cli", *args], capture_output=True, text=True, cwd=cwd, timeout=120)


def test_query_prints_a_table_csv_or_json(seed_build):
    out = str(seed_build.out_dir)
    sparql = 'SELECT ?award WHERE { ?h rdfs:label "驻马店市" ; kg:received/rdfs:label ?award } ORDER BY ?award'
    table = run("query", sparql, "-o", out)
    assert table.exit_code == 0 and "全国脱贫攻坚奖" in table.output and "row" in table.output
    csv = run("query", sparql, "-o", out, "--format", "csv")
    assert csv.output.splitlines()[0] == "award" and "全国脱贫攻坚奖" in csv.output
    rows = json.loads(run("query", sparql, "-o", out, "--format", "json").output)
    assert {"award": "全国脱贫攻坚奖"} in rows


def test_query_reads_a_query_file(seed_build, tmp_path):
    query = tmp_path / "q.rq"
    query.write_text("ASK { ?s a kg:Hospital }", encoding="utf-8")
    result = run("query", f"@{query}", "-o", str(seed_build.out_dir))
    assert result.exit_code == 0 and "true" in result.output


def test_query_syntax_error_is_a_plain_message(seed_build):
    result = run("query", "SELECT ?x WHERE { ?x rdfs:label }", "-o", str(seed_build.out_dir))
    assert result.exit_code != 0
    assert "SPARQL syntax error at line 1" in result.output and "Traceback" not in result.output


def parsers_message(sparql: str) -> str:
    """What Oxigraph's parser says of ``sparql``, without its position."""
    import pyoxigraph as ox

    from kg.store import SPARQL_PREFIXES

    with pytest.raises(SyntaxError) as error:
        ox.Store().query(SPARQL_PREFIXES + sparql)
    return re.sub(r"^error at \d+:\d+: ", "", str(error.value))


def test_query_syntax_error_shows_the_parsers_whole_message_and_a_caret_under_the_place(seed_build):
    sparql = 'SELECT ?s WHERE {\n  ?s rdfs:label "洛阳市" } LIMIT 5 5'
    result = kg("query", sparql, "-g", str(seed_build.out_dir))
    assert result.returncode != 0 and "Traceback" not in result.stderr
    message, shown, caret = result.stderr.rstrip("\n").split("\n")[-3:]
    line = sparql.split("\n")[1]
    assert message == f"Error: SPARQL syntax error at line 2, column {len(line) + 1}: {parsers_message(sparql)}"  # just past the end
    assert shown == "  " + line
    assert caret == " " * (2 + len(line) + 3) + "^"  # the three Chinese characters take two columns each
    # A long list of what the parser expected is shown whole, over several lines.
    unfinished = "SELECT ?l WHERE { ?s rdfs:label ?l"
    whole = parsers_message(unfinished)
    assert whole.count("\n") >= 2 and whole in kg("query", unfinished, "-g", str(seed_build.out_dir)).stderr


def test_bind_of_a_name_the_query_lacks_lists_the_names_it_has(seed_build):
    result = kg("query", "about", "--bind", "nam=焦作市", "-g", str(seed_build.out_dir))
    assert result.returncode != 0 and "Traceback" not in result.stderr
    assert "no variable ?nam to bind; its variables: ?name, " in result.stderr
    ask = kg("query", "ASK { ?s rdfs:label ?name }", "--bind", "city=焦作市", "-g", str(seed_build.out_dir))
    assert ask.returncode != 0 and "no variable ?city to bind; its variables: ?name, ?s" in ask.stderr


def test_serve_on_a_busy_port_says_so_in_one_sentence_and_names_a_free_one(seed_build):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = kg("serve", "-g", str(seed_build.out_dir), "--port", str(port))
    assert result.returncode != 0 and result.stdout == ""
    match = re.fullmatch(rf"Error: port {port} is in use: try --port (\d+)\n", result.stderr)
    assert match and int(match.group(1)) > port, result.stderr


def test_build_without_paths_outside_a_checkout_says_what_to_give_it(tmp_path):
    result = kg("build", cwd=tmp_path)
    assert result.returncode != 0 and "Traceback" not in result.stderr
    assert result.stderr.startswith("Error: nothing to build: give the article files or folders, e.g. `kg build articles/`")
    assert result.stderr.count("\n") == 1 and list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("command", ["build", "query", "push", "serve", "stats"])
def test_every_graph_command_names_the_folder_with_dash_g(command):
    listed = " ".join(run(command, "--help").output.split())
    assert "-g, --graph DIR" in listed and "[default: output]" in listed
    assert "--out" not in listed and "[GRAPH]" not in listed  # the old spellings work, unlisted


def test_old_spellings_of_the_graph_folder_still_work(seed_build):
    out = str(seed_build.out_dir)
    queries = [run("query", "ASK { ?s a kg:City }", flag, out).output for flag in ("-g", "--graph", "-o", "--out")]
    assert queries[0] == "result\n------\ntrue\n(1 row)\n" and len(set(queries)) == 1
    stats = [run("stats", *spelling).output for spelling in (["-g", out], [out], ["-o", out])]
    assert "connected components" in stats[0] and len(set(stats)) == 1
    both = run("stats", out, "-g", out + "-other")
    assert both.exit_code != 0 and "give the graph folder once" in both.output


def test_query_table_shows_evidence_whole_unless_width_cuts_it(seed_build):
    out = str(seed_build.out_dir)
    evidence = [row["evidence"] for row in json.loads(run("query", "hospital_accreditations", "-g", out, "--format", "json").output)]
    assert max(map(len, evidence)) > 60
    table = run("query", "hospital_accreditations", "-g", out).output
    assert all(sentence in table for sentence in evidence) and "…" not in table
    from kg.cleanup import width

    cut = run("query", "hospital_accreditations", "-g", out, "--width", "30").output
    assert "…" in cut and max(width(line) for line in cut.splitlines()) <= 4 * 30 + 3 * 2


def test_stats_counts_relations_as_build_does_and_says_which_are_no_edges(seed_build):
    from kg.build import summary

    built = int(re.search(r"Relations: (\d+) distinct", summary(seed_build)).group(1))
    stats = run("stats", "-g", str(seed_build.out_dir)).output
    match = re.search(r"(\d+) relations \(as kg build counts them\): (\d+) between two entities, (\d+) to a value, not an entity \(targets (\d+)\)", stats)
    assert match, stats.splitlines()[0]
    total, edges, values, targets = map(int, match.groups())
    assert total == built == edges + values and values == targets == seed_build.counts.relations["targets"] > 0


def test_query_before_any_build_says_what_to_do(tmp_path):
    result = run("query", "ASK {}", "-o", str(tmp_path))
    assert result.exit_code != 0 and "run `kg build` first" in result.output


def test_build_prints_a_summary_with_counts_and_outputs(tmp_path):
    page = tmp_path / "in" / "p.txt"
    page.parent.mkdir()
    page.write_text("2019年，驻马店市荣获全国脱贫攻坚奖。", encoding="utf-8")
    result = run("build", str(page.parent), "-o", str(tmp_path / "out"), "-q")
    assert result.exit_code == 0, result.output
    assert "1 articles" in result.output and "received 1" in result.output and "graph.html" in result.output


def test_build_of_a_missing_folder_is_a_plain_error(tmp_path):
    result = run("build", str(tmp_path / "nope"), "-o", str(tmp_path / "out"))
    assert result.exit_code != 0 and "no such file or folder" in result.output


def test_bench_refuses_fewer_than_one_worker_before_it_starts(tmp_path):
    result = run("bench", "--workers", "0", "--work", str(tmp_path / "bench"))
    assert result.exit_code != 0 and "--workers" in result.output and not (tmp_path / "bench").exists()


@pytest.mark.parametrize("command", ["build", "query"])
def test_every_command_has_help(command):
    result = run(command, "--help")
    assert result.exit_code == 0 and len(result.output.splitlines()) > 4


def test_console_script_is_installed():
    result = subprocess.run([sys.executable, "-m", "kg.cli", "--version"], capture_output=True, text=True)
    assert result.returncode == 0 and "version" in result.stdout
