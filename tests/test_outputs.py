"""The folder a build writes into: only what a build wrote is ever replaced or removed,
and one build at a time."""

from __future__ import annotations

import contextlib
import json
import multiprocessing
import os
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from kg.build import build
from kg.cli import main
from kg.store import open_store

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
PAGE = "2019年，驻马店市荣获全国脱贫攻坚奖。"


def kg(*args: str):
    return CliRunner().invoke(main, [*map(str, args), "-q"] if args[0] == "build" else list(map(str, args)))


def files_under(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def _kg(args: list[str], log: str) -> None:
    """``kg ARGS`` in this process, its messages written to the file ``log``."""
    with open(log, "w", encoding="utf-8") as stream, contextlib.redirect_stdout(stream), contextlib.redirect_stderr(stream):
        main(args)


@pytest.fixture(scope="module")
def kg_process(tmp_path_factory):
    """Run ``kg ARGS`` in a process of its own; its exit status and messages. The
    processes are forked from one that has imported kg already (a new interpreter
    spends seconds importing it) and has opened no store."""
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["kg.build", "kg.cli"])
    logs = tmp_path_factory.mktemp("logs")

    def run(*args) -> tuple[int | None, str]:
        log = logs / f"{len(list(logs.iterdir()))}.log"
        process = context.Process(target=_kg, args=([str(a) for a in args], str(log)))
        process.start()
        process.join(300)
        return process.exitcode, log.read_text(encoding="utf-8") if log.exists() else ""

    return run


@pytest.fixture
def page(tmp_path) -> Path:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "p.txt").write_text(PAGE, encoding="utf-8")
    return folder


@pytest.fixture
def users_folder(tmp_path) -> Path:
    """A folder of someone's with a store/ and a cache/ of their own."""
    out = tmp_path / "d"
    (out / "store" / "images").mkdir(parents=True)
    (out / "store" / "images" / "a").write_text("x")
    (out / "cache" / "thumbs").mkdir(parents=True)
    (out / "config.cfg").write_text("mine")
    return out


def test_a_folder_that_is_not_a_kg_build_is_refused_with_one_sentence(page, users_folder):
    out = users_folder
    before = files_under(out)
    result = kg("build", page, "-o", out)
    assert result.exit_code != 0 and "Traceback" not in result.output
    message = result.output.strip().removeprefix("Error: ")
    assert "is not empty and holds no kg build" in message and "--force" in message and message.count(". ") == 0
    assert files_under(out) == before and (out / "cache" / "thumbs").is_dir()


def test_forced_build_never_deletes_or_overwrites_what_it_did_not_write(page, users_folder, tmp_path):
    out = users_folder
    refused = kg("build", page, "-o", out, "--force")
    assert refused.exit_code != 0 and "not written by kg build and are in the way" in refused.output
    assert "d/store, " in refused.output and "d/config.cfg" in refused.output
    assert (out / "store" / "images" / "a").read_text() == "x" and (out / "config.cfg").read_text() == "mine"
    for name in ("store", "config.cfg"):  # the user moves them out of the way
        shutil.move(out / name, tmp_path / name)
    (out / "notes.txt").write_text("mine")
    for args in ([], ["--rules"], []):  # two pipelines: each build drops the caches it may
        result = kg("build", page, "-o", out, "--force", *args)
        assert result.exit_code == 0, result.output
    assert (out / "cache" / "thumbs").is_dir() and (out / "notes.txt").read_text() == "mine"
    assert len(open_store(out)) > 0
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert {"store", "graph.ttl", "graph.trig", "graph.html", "config.cfg", "manifest.json"} <= set(manifest["written"])
    assert "notes.txt" not in manifest["written"] and "cache/thumbs" not in manifest["written"]


def test_a_second_build_into_a_locked_folder_says_who_holds_it(page, tmp_path, kg_process):
    from kg.outdir import locked

    out = tmp_path / "out"
    with locked(out):  # as a build running in this process holds it
        status, output = kg_process("build", page, "-o", out, "-q")
    assert status == 1
    assert f"locked by another kg build (pid {os.getpid()})" in output and "Traceback" not in output
    assert not (out / "store").exists()
    assert build([page], out).counts.articles == 1  # the lock is gone with its holder
