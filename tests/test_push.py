"""kg push and kg query --endpoint against a real Oxigraph server on loopback."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from kg.cli import main
from servers import free_port, oxigraph_command, running


@pytest.fixture
def oxigraph(tmp_path):
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with running(oxigraph_command() + ["serve", "--location", str(tmp_path / "db"), "--bind", f"127.0.0.1:{port}"], base + "/query?query=ASK%7B%7D"):
        yield base


@pytest.mark.parametrize("mode", [[], ["--update"]])
def test_pushed_graph_answers_queries_on_the_server(seed_build, oxigraph, mode):
    target = oxigraph + ("/update" if mode else "/store")
    pushed = CliRunner().invoke(main, ["push", target, "-o", str(seed_build.out_dir), *mode])
    assert pushed.exit_code == 0, pushed.output
    assert f"Sent {seed_build.quads:,} triples" in pushed.output
    asked = CliRunner().invoke(main, ["query", "hospital_accreditations", "--endpoint", oxigraph + "/query", "--format", "csv"])
    assert asked.exit_code == 0, asked.output
    assert "濮阳市第三人民医院,二级甲等医院评审,2019" in asked.output


def test_replace_does_not_duplicate(seed_build, oxigraph):
    for _ in range(2):
        assert CliRunner().invoke(main, ["push", oxigraph + "/store", "-o", str(seed_build.out_dir), "--replace"]).exit_code == 0
    asked = CliRunner().invoke(main, ["query", "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", "--endpoint", oxigraph + "/query", "--format", "csv"])
    assert asked.output.splitlines()[1] == str(seed_build.quads)


def test_unreachable_server_is_a_plain_error(seed_build):
    result = CliRunner().invoke(main, ["push", f"http://127.0.0.1:{free_port()}/store", "-o", str(seed_build.out_dir)])
    assert result.exit_code != 0 and "cannot reach" in result.output
