"""The kg command as a user types it."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from click.testing import CliRunner

from kg.cli import main


def run(*args: str):
    return CliRunner().invoke(main, list(args))


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
