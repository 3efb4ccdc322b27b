"""Parallel, distributed and incremental builds give the same graph as a plain build."""

from __future__ import annotations

import os
import shutil
import threading
import time
from pathlib import Path

import pytest

from kg.bench import same_graph
from kg.build import BuildError, build
from kg.store import open_store

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    folder = tmp_path_factory.mktemp("corpus")
    for page in (ROOT / "seeds").glob("*.txt"):
        shutil.copy(page, folder / page.name)
    return folder


@pytest.fixture(scope="module")
def plain(corpus, tmp_path_factory):
    out = tmp_path_factory.mktemp("plain")
    build([corpus], out, cache=False)
    return out


def test_two_worker_processes_build_the_same_graph(corpus, plain, tmp_path):
    report = build([corpus], tmp_path / "out", workers=2, cache=False)
    assert report.counts.articles == 40
    assert same_graph(plain, tmp_path / "out")


def _die(job):
    """A job whose worker process is killed, as the system's out-of-memory killer would."""
    os._exit(137)


def _cannot_draw(seen):
    """A view that runs out of memory, failing the build after the store is written."""
    raise MemoryError("no room to draw")


def test_a_worker_process_that_dies_fails_the_build_and_keeps_the_last_outputs(corpus, tmp_path, monkeypatch):
    out = tmp_path / "out"
    build([corpus], out, cache=False)
    before = {name: (out / name).read_bytes() for name in ("graph.ttl", "graph.trig", "manifest.json")}
    monkeypatch.setattr("kg.build.process", _die)  # the workers are forked with it
    outcome: list[BaseException] = []

    def run() -> None:
        try:
            build([corpus], out, workers=2, cache=False)
        except BaseException as exc:
            outcome.append(exc)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(60)
    assert not thread.is_alive(), "the build hung"
    assert len(outcome) == 1 and isinstance(outcome[0], BuildError) and "worker process died" in str(outcome[0])
    assert {name: (out / name).read_bytes() for name in before} == before
    assert not list(out.glob(".store-*")) and not list(out.glob(".graph.*"))


def test_a_view_that_cannot_be_drawn_fails_the_build_and_keeps_the_last_store_and_exports(corpus, tmp_path, monkeypatch):
    folder, out = tmp_path / "in", tmp_path / "out"
    shutil.copytree(corpus, folder)
    first = build([folder], out, cache=False)
    before = {name: (out / name).read_bytes() for name in ("graph.ttl", "graph.trig", "graph.html")}
    (folder / "003_106da0d268dfafa7.txt").unlink()  # the next build would write a smaller graph
    monkeypatch.setattr("kg.view.page", _cannot_draw)
    with pytest.raises(MemoryError):
        build([folder], out, cache=False)
    assert {name: (out / name).read_bytes() for name in before} == before
    assert len(open_store(out)) == first.quads


def test_a_patched_build_that_fails_keeps_the_last_store_as_it_was(corpus, tmp_path, monkeypatch):
    # The patched store starts as links to the last store's table files: patching it must not touch them.
    folder, out = tmp_path / "in", tmp_path / "out"
    shutil.copytree(corpus, folder)
    build([folder], out)
    before = sorted(str(quad) for quad in open_store(out))
    (folder / "003_106da0d268dfafa7.txt").unlink()
    monkeypatch.setattr("kg.view.page", _cannot_draw)
    with pytest.raises(MemoryError):
        build([folder], out)
    assert sorted(str(quad) for quad in open_store(out)) == before
    monkeypatch.undo()
    assert build([folder], out).patched
    assert len(open_store(out)) < len(before)


def test_dask_cluster_builds_the_same_graph(corpus, plain, tmp_path):
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1", dashboard_address=None) as cluster:
        address = cluster.scheduler_address.replace("tcp://", "dask://")
        report = build([corpus], tmp_path / "out", scheduler=address, cache=False)
    assert report.counts.articles == 40
    assert same_graph(plain, tmp_path / "out")


def test_rebuild_after_one_article_changed_extracts_only_that_page(corpus, tmp_path):
    folder = tmp_path / "in"
    shutil.copytree(corpus, folder)
    out = tmp_path / "out"
    first = build([folder], out)
    assert first.reused == 0
    page = folder / "001_0e4feafa867294ff.txt"
    page.write_text(page.read_text(encoding="utf-8").replace("郑州市充分利用现有医保制度", "郑州市充分利用现有医保制度，2020年郑州市荣获全国健康城市示范市", 1), encoding="utf-8")
    second = build([folder], out)
    assert second.reused == first.counts.articles - 1
    assert second.patched
    fresh = build([folder], tmp_path / "fresh", cache=False)
    assert same_graph(out, tmp_path / "fresh")
    assert second.counts.distinct_relations == fresh.counts.distinct_relations
    assert (out / "graph.trig").read_text(encoding="utf-8") == (tmp_path / "fresh" / "graph.trig").read_text(encoding="utf-8")


def test_rebuild_after_a_page_was_removed_drops_only_what_that_page_alone_said(corpus, tmp_path):
    folder = tmp_path / "in"
    shutil.copytree(corpus, folder)
    out = tmp_path / "out"
    build([folder], out)
    (folder / "003_106da0d268dfafa7.txt").unlink()
    again = build([folder], out)
    assert again.patched and again.counts.articles < 40
    fresh = build([folder], tmp_path / "fresh", cache=False)
    assert same_graph(out, tmp_path / "fresh")


def test_rebuild_after_most_pages_changed_builds_the_store_anew(corpus, tmp_path):
    folder = tmp_path / "in"
    shutil.copytree(corpus, folder)
    out = tmp_path / "out"
    build([folder], out)
    for page in sorted(folder.glob("*.txt"))[:3]:
        page.write_text(page.read_text(encoding="utf-8") + "\n本报讯 某县卫生健康委员会开展义诊活动。\n", encoding="utf-8")
    again = build([folder], out)
    assert not again.patched
    assert same_graph(out, build([folder], tmp_path / "fresh", cache=False).out_dir)


def test_a_build_without_the_cache_still_refreshes_it_for_the_next_build(corpus, tmp_path):
    out = tmp_path / "out"
    build([corpus], out, cache=False)
    assert build([corpus], out).reused == 40


def test_a_build_keeps_its_own_cache_and_the_last_other_pipeline_s(corpus, tmp_path):
    out = tmp_path / "out"
    build([corpus], out, rules_only=True)
    (rules,) = (out / "cache").iterdir()
    (out / "cache" / "thumbs").mkdir()  # not the build's: never removed
    build([corpus], out)  # another pipeline: the trained components too
    assert build([corpus], out, rules_only=True).reused == 40  # two pipelines taking turns both reuse theirs
    config = tmp_path / "other.cfg"
    config.write_text((ROOT / "kg" / "default.cfg").read_text(encoding="utf-8").replace("batch_size = 32", "batch_size = 16"), encoding="utf-8")
    build([corpus], out, config_path=config)  # a third: the one used least recently goes
    assert rules.exists() and len(list((out / "cache").iterdir())) == 3 and (out / "cache" / "thumbs").is_dir()


def test_damaged_cache_entries_are_extracted_again(corpus, plain, tmp_path):
    out = tmp_path / "out"
    build([corpus], out)
    first, *others = sorted((out / "cache").glob("*/articles/*/*.rec"))[:3]
    first.write_bytes(first.read_bytes()[:-10])  # cut short: its triples are not all there
    for entry in others + sorted((out / "cache").glob("*/pages/*/*.json")):
        entry.write_text("{not json", encoding="utf-8")
    again = build([corpus], out)
    assert again.reused == 40 - 3
    assert same_graph(out, plain)


def test_an_unchanged_page_is_copied_from_the_last_build_without_reading_its_records(corpus, tmp_path):
    out = tmp_path / "out"
    build([corpus], out)
    for entry in (out / "cache").glob("*/articles/*/*.rec"):
        entry.write_text("{not json", encoding="utf-8")
    trig = (out / "graph.trig").read_bytes()
    again = build([corpus], out)
    assert again.patched and again.reused == 40
    assert (out / "graph.trig").read_bytes() == trig


def test_a_hand_edited_output_makes_the_next_build_start_anew(corpus, plain, tmp_path):
    out = tmp_path / "out"
    build([corpus], out)
    with (out / "graph.ttl").open("a", encoding="utf-8") as turtle:
        turtle.write("<http://x/a> <http://x/b> <http://x/c> .\n")
    again = build([corpus], out)
    assert not again.patched
    assert same_graph(out, plain)


def test_bench_gives_up_on_a_query_that_overruns_its_time_limit():
    from kg.bench import _time_in_child

    assert _time_in_child(lambda: time.sleep(5), 3, timeout=0.5) == []
    assert len(_time_in_child(lambda: None, 3, timeout=5)) == 3
    with pytest.raises(RuntimeError):
        _time_in_child(lambda: 1 / 0, 3, timeout=5)


def test_bench_says_why_a_build_failed(tmp_path):
    from kg.bench import timed_build

    with pytest.raises(RuntimeError, match="no such file or folder"):
        timed_build(tmp_path / "no-corpus", tmp_path / "out")
