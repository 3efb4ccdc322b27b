"""The folder a build writes into: only what a build wrote is ever replaced or removed,
one build at a time, and a build killed at any moment leaves a folder that answers
queries and that the next build repairs."""

from __future__ import annotations

import contextlib
import json
import multiprocessing
import os
import shutil
from pathlib import Path

import pyoxigraph as ox
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


def _kg(args: list[str], crash_at: str | None, log: str) -> None:
    """``kg ARGS`` in this process, its messages written to the file ``log``; with
    ``crash_at``, killed at that point of putting the outputs in place."""
    from kg.store import CRASH_AT

    if crash_at:
        os.environ[CRASH_AT] = crash_at
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

    def run(*args, crash_at: str | None = None) -> tuple[int | None, str]:
        log = logs / f"{len(list(logs.iterdir()))}.log"
        process = context.Process(target=_kg, args=([str(a) for a in args], crash_at, str(log)))
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
    result = kg("build", page, "-g", out)
    assert result.exit_code != 0 and "Traceback" not in result.output
    message = result.output.strip().removeprefix("Error: ")
    assert "is not empty and holds no kg build" in message and "--force" in message and message.count(". ") == 0
    assert files_under(out) == before and (out / "cache" / "thumbs").is_dir()


def test_forced_build_never_deletes_or_overwrites_what_it_did_not_write(page, users_folder, tmp_path):
    out = users_folder
    refused = kg("build", page, "-g", out, "--force")
    assert refused.exit_code != 0 and "not written by kg build and are in the way" in refused.output
    assert "d/store, " in refused.output and "d/config.cfg" in refused.output
    assert (out / "store" / "images" / "a").read_text() == "x" and (out / "config.cfg").read_text() == "mine"
    for name in ("store", "config.cfg"):  # the user moves them out of the way
        shutil.move(out / name, tmp_path / name)
    (out / "notes.txt").write_text("mine")
    for args in ([], ["--rules"], []):  # two pipelines: each build drops the caches it may
        result = kg("build", page, "-g", out, "--force", *args)
        assert result.exit_code == 0, result.output
    assert (out / "cache" / "thumbs").is_dir() and (out / "notes.txt").read_text() == "mine"
    assert len(open_store(out)) > 0
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert {"store", "graph.ttl", "graph.trig", "graph.html", "config.cfg", "manifest.json"} <= set(manifest["written"])
    assert "notes.txt" not in manifest["written"] and "cache/thumbs" not in manifest["written"]


def test_every_output_of_a_build_carries_its_build_id(page, tmp_path):
    from kg.outdir import build_ids

    out = tmp_path / "out"
    build([page], out)
    ids = build_ids(out)
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert set(ids) == {"store", "graph.trig", "graph.ttl", "graph.html", "config.cfg", "manifest.json"}
    assert set(ids.values()) == {manifest["build"]} and len(manifest["build"]) == 16
    (page / "q.txt").write_text("许昌市卫生健康委开展急危重症三级救治网建设。", encoding="utf-8")
    build([page], out)
    assert len(set(build_ids(out).values())) == 1 and build_ids(out)["store"] != ids["store"]


def test_a_second_build_into_a_locked_folder_says_who_holds_it(page, tmp_path, kg_process):
    from kg.outdir import locked

    out = tmp_path / "out"
    with locked(out):  # as a build running in this process holds it
        status, output = kg_process("build", page, "-g", out, "-q")
    assert status == 1
    assert f"locked by another kg build (pid {os.getpid()})" in output and "Traceback" not in output
    assert not (out / "store").exists()
    assert build([page], out).counts.articles == 1  # the lock is gone with its holder


def test_a_build_removes_the_leftovers_of_killed_builds_and_nothing_else(page, tmp_path):
    out = tmp_path / "out"
    build([page], out)
    (out / ".store-k2j3h4g5").mkdir()
    (out / ".store-k2j3h4g5" / "000011.sst").write_bytes(b"\0" * 1000)
    (out / ".graph.ttl.a8_d9x0q").write_text("half a graph")
    (out / ".manifest.json.zz99aa00").write_text("{")
    (out / ".my-notes").write_text("mine")
    (out / ".store-of-mine").mkdir()
    build([page], out)
    assert sorted(p.name for p in out.iterdir() if p.name.startswith(".")) == [".my-notes", ".store-of-mine"]


# Where a build that is killed while moving its outputs into place may stop: before the
# first move, between any two, and after the last (see kg.store.publish).
CRASH_POINTS = ["before store", "store swapped", "before graph.trig", "before graph.ttl", "before graph.html", "before config.cfg", "before manifest.json", "published"]


def stored(out: Path) -> set:
    """The triples of the store in ``out``, blank nodes named canonically."""
    dataset = ox.Dataset(ox.Quad(q.subject, q.predicate, q.object, ox.DefaultGraph()) for q in open_store(out))
    dataset.canonicalize(ox.CanonicalizationAlgorithm.UNSTABLE)
    return set(dataset)


@pytest.fixture(scope="module")
def last_build(tmp_path_factory):
    """The seed pages built into a folder, as the build the killed one replaces, and the
    triples of its store."""
    base = tmp_path_factory.mktemp("last")
    shutil.copytree(SEEDS, base / "in")
    build([base / "in"], base / "out")
    return base, stored(base / "out")


@pytest.mark.parametrize("point", CRASH_POINTS)
def test_a_build_killed_while_publishing_leaves_a_queryable_folder_the_next_build_repairs(last_build, tmp_path, point, kg_process):
    from kg.outdir import build_ids
    from kg.store import CRASHED

    last, last_triples = last_build
    inputs, out = tmp_path / "in", tmp_path / "out"
    shutil.copytree(last / "in", inputs)
    shutil.copytree(last / "out", out)
    old_id = json.loads((out / "manifest.json").read_text(encoding="utf-8"))["build"]
    removed = inputs / "004_1cd59216321c990d.txt"
    kept = removed.read_bytes()
    removed.unlink()  # the killed build writes a graph of one page fewer
    status, output = kg_process("build", inputs, "-g", out, "-q", crash_at=point)
    assert status == CRASHED, output
    asked = kg("query", "SELECT (COUNT(*) AS ?n) WHERE { ?a a kg:Article }", "-g", out)
    assert asked.exit_code == 0 and int(asked.output.split()[-3]) > 0, asked.output
    assert set(build_ids(out)) == {"store", "graph.trig", "graph.ttl", "graph.html", "config.cfg", "manifest.json"}
    for name in ("graph.ttl", "graph.trig"):
        assert sum(1 for _ in ox.parse(path=str(out / name), format=ox.RdfFormat.TRIG)) > 0
    new_ids = set(build_ids(out).values()) - {old_id}
    assert len(new_ids) <= 1  # every output is the last build's or the killed one's, whole
    removed.write_bytes(kept)  # the user goes back to the pages of the last build
    repaired = build([inputs], out)
    for name in ("graph.ttl", "graph.trig"):  # the same pages give the same bytes
        assert (out / name).read_bytes() == (last / "out" / name).read_bytes(), name
    assert stored(out) == last_triples
    if point not in ("before store", "published"):  # the outputs of two builds: the store is built anew
        assert not repaired.patched
    assert len(open_store(out)) == repaired.quads
    assert len(set(build_ids(out).values())) == 1
    assert not [p.name for p in out.iterdir() if p.name.startswith(".")]
