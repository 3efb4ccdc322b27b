"""``kg bench``: how fast, how big, how well it scales.

For corpora of 1x, 8x and 64x the seed pages (each copy with its place names swapped
for others from the gazetteer and the pages shuffled, so no cache can cheat), it
measures in one run:

- the whole build and each stage in characters per second, peak memory, output size
  (each build runs in a fresh process, so memory and model loading are counted);
- SPARQL latency, median and p95, of every query in ``queries/`` on the embedded
  Oxigraph store and on rdflib's in-memory engine;
- jieba's part-of-speech tagging on the same text, as a reference;
- at the largest size: ``--workers 2`` against one process, and an incremental rebuild
  after one article changed against a full build (and that both give the same graph);
  these builds alternate and are compared by their medians, as timings on a shared
  machine drift between runs. Beside the speedup of the workers, the CPU time of their
  builds and the speedup the machine itself gave two plain processes just before each
  one say how much more the workers could have given.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Iterable

ROOT = Path(__file__).resolve().parent.parent


def make_corpus(seeds: Path, copies: int, folder: Path, seed: int = 0) -> int:
    """``copies`` of every seed page into ``folder``, places swapped, pages shuffled;
    returns the characters written."""
    from kg.gazetteer import swap_places

    rng = random.Random(seed)
    pages = sorted(seeds.glob("*.txt"))
    folder.mkdir(parents=True, exist_ok=True)
    order = [(copy, page) for copy in range(copies) for page in pages]
    rng.shuffle(order)
    total = 0
    for index, (copy, page) in enumerate(order):
        text = page.read_text(encoding="utf-8")
        if copy:
            text = swap_places(text, random.Random(copy * 1000 + pages.index(page)))
        (folder / f"{index:05d}_{page.stem}_{copy}.txt").write_text(text, encoding="utf-8")
        total += len(text)
    return total


def timed_build(corpus: Path, out: Path, *flags: str) -> dict:
    """Run ``kg build`` in a fresh process; its report, wall time, CPU time (its worker
    processes' included) and peak memory (of its largest process)."""
    report = out.parent / f"{out.name}-report.json"
    command = [sys.executable, "-m", "kg.cli", "build", str(corpus), "-o", str(out), "-q", "--report", str(report), *flags]
    os.sync()  # the files of the build before are on disk, not written back during this one
    with tempfile.TemporaryFile() as errors:  # a file, not a pipe: a build that logs much cannot stall on it
        started = time.perf_counter()
        process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=errors)
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)
        if process.returncode != 0:
            errors.seek(0)
            raise RuntimeError(f"build failed: {errors.read().decode(errors='replace')[-2000:]}")
    result = json.loads(report.read_text(encoding="utf-8"))
    result.update(wall_seconds=seconds, cpu_seconds=usage.ru_utime + usage.ru_stime, peak_mb=usage.ru_maxrss / 1024)
    return result


def full_build(corpus: Path, out: Path, *flags: str) -> dict:
    """:func:`timed_build` of every article into an empty ``out``: no full build pays for
    replacing an earlier build's files, so they compare like for like."""
    shutil.rmtree(out, ignore_errors=True)
    return timed_build(corpus, out, "--no-cache", *flags)


def jieba_speed(corpus: Path) -> float:
    """jieba.posseg characters per second over the corpus text."""
    import jieba
    import jieba.posseg

    jieba.setLogLevel(60)
    text = "".join(p.read_text(encoding="utf-8") for p in sorted(corpus.glob("*.txt")))
    list(jieba.posseg.cut("预热一下"))  # load the dictionary outside the timing
    started = time.perf_counter()
    for _ in jieba.posseg.cut(text):
        pass
    return len(text) / (time.perf_counter() - started)


def machine_parallelism(processes: int, loops: int = 8_000_000) -> float:
    """The speedup of ``processes`` copies of a plain CPU-bound loop run at once over one
    copy alone (the mean of one run before and one after), on this machine now: about
    ``processes`` on that many free cores, less when the host lends the same core to
    several. On shared machines it changes from minute to minute, so the bench measures
    it just before each parallel build, as a reference for what the machine gave.

    >>> 0 < machine_parallelism(1, loops=10_000) < 10
    True
    """
    os.sync()  # the last build's files are written back now, not during the runs
    alone = _spin_in_children(1, loops)
    together = _spin_in_children(processes, loops)
    alone = (alone + _spin_in_children(1, loops)) / 2
    return processes * alone / together


def _spin_in_children(processes: int, loops: int) -> float:
    """Seconds for ``processes`` forked children to each run :func:`_spin`, all at once."""
    context = multiprocessing.get_context("fork")
    children = [context.Process(target=_spin, args=(loops,)) for _ in range(processes)]
    started = time.perf_counter()
    for child in children:
        child.start()
    for child in children:
        child.join()
    if any(child.exitcode != 0 for child in children):
        raise RuntimeError("a process of the parallelism probe failed")
    return time.perf_counter() - started


def _spin(loops: int) -> int:
    """Plain CPU work, the same in every process: storing small strings; returns how
    many it kept."""
    kept: dict[int, str] = {}
    for i in range(loops):
        kept[i & 0xFFFF] = str(i)
    return len(kept)


def query_latencies(out: Path, repeats: int = 7, rdflib_timeout: float = 30.0) -> dict:
    """Median and p95 milliseconds per named query, on Oxigraph and on rdflib.

    rdflib runs each query up to three times in a forked child and gives up after
    ``rdflib_timeout`` seconds; a query that never finished is reported at the timeout,
    marked ``timed_out`` (a lower bound, so speed-ups against it are lower bounds too).
    """
    import rdflib
    import pyoxigraph as ox

    from kg.query import named_queries
    from kg.store import SPARQL_PREFIXES, TURTLE, open_store

    bindings = {"about": {"name": "焦作市"}}
    store = open_store(out)
    queries = {name: path.read_text(encoding="utf-8") for name, path in named_queries().items()}
    oxigraph = {}
    for name, text in queries.items():
        subs = {ox.Variable(k): ox.Literal(v) for k, v in bindings.get(name, {}).items()}
        times = []
        for _ in range(repeats + 1):
            started = time.perf_counter()
            list(store.query(SPARQL_PREFIXES + text, substitutions=subs))
            times.append((time.perf_counter() - started) * 1000)
        oxigraph[name] = _summary(times[1:])
    started = time.perf_counter()
    graph = rdflib.Graph().parse(out / TURTLE)
    parse_seconds = time.perf_counter() - started
    memory = {}
    for name, text in queries.items():
        init = {k: rdflib.Literal(v) for k, v in bindings.get(name, {}).items()}
        try:
            times = _time_in_child(lambda: list(graph.query(SPARQL_PREFIXES + text, initBindings=init)), 3, rdflib_timeout)
        except RuntimeError as exc:
            memory[name] = {"median_ms": float("nan"), "p95_ms": float("nan"), "error": str(exc)}
            continue
        memory[name] = _summary(times) if times else {"median_ms": rdflib_timeout * 1000, "p95_ms": rdflib_timeout * 1000, "timed_out": True}
    slowest = max((n for n in memory if "error" not in memory[n]), key=lambda n: memory[n]["median_ms"])
    return {
        "oxigraph": oxigraph,
        "rdflib": memory,
        "rdflib_parse_seconds": round(parse_seconds, 2),
        "slowest_rdflib_query": slowest,
        "rdflib_timed_out": sorted(n for n, v in memory.items() if v.get("timed_out")),
        "speedup_on_slowest": round(memory[slowest]["median_ms"] / max(oxigraph[slowest]["median_ms"], 1e-6), 1),
        "max_oxigraph_median_ms": round(max(v["median_ms"] for v in oxigraph.values()), 2),
    }


def _time_in_child(run, repeats: int, timeout: float) -> list[float]:
    """Milliseconds of up to ``repeats`` calls of ``run`` in a forked child, stopped after
    ``timeout`` seconds; the calls that finished in time (none when the first overran)."""
    context = multiprocessing.get_context("fork")
    receive, send = context.Pipe(duplex=False)

    def child() -> None:
        for _ in range(repeats):
            started = time.perf_counter()
            run()
            send.send((time.perf_counter() - started) * 1000)

    process = context.Process(target=child, daemon=True)
    process.start()
    deadline = time.monotonic() + timeout
    times = []
    while len(times) < repeats and time.monotonic() < deadline:
        if receive.poll(min(0.2, max(0.0, deadline - time.monotonic()))):
            times.append(receive.recv())
        elif not process.is_alive():
            raise RuntimeError(f"the timed call failed (exit code {process.exitcode})")
    process.kill()
    process.join()
    return times


def _summary(times: list[float]) -> dict:
    ordered = sorted(times)
    return {"median_ms": round(statistics.median(ordered), 2), "p95_ms": round(ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))], 2)}


def same_graph(a: Path, b: Path) -> bool:
    """True when two builds hold the same triples, in their Turtle exports and in their
    stores (blank nodes compared canonically)."""
    import pyoxigraph as ox

    from kg.store import TURTLE, open_store

    def canonical(triples: Iterable) -> set:
        dataset = ox.Dataset(ox.Quad(t.subject, t.predicate, t.object, ox.DefaultGraph()) for t in triples)
        dataset.canonicalize(ox.CanonicalizationAlgorithm.UNSTABLE)
        return set(dataset)

    def exported(out: Path) -> set:
        return canonical(ox.parse(path=str(out / TURTLE), format=ox.RdfFormat.TURTLE))

    def stored(out: Path) -> set:
        return canonical(quad.triple for quad in open_store(out))

    return exported(a) == exported(b) and stored(a) == stored(b)


def run(sizes: list[int], work: Path, workers: int = 2, seeds: Path = ROOT / "seeds", progress=print) -> dict:
    """The whole benchmark; returns one record per size plus the ratios the targets use."""
    work.mkdir(parents=True, exist_ok=True)
    records = []
    for size in sizes:
        corpus = work / f"corpus-{size}x"
        shutil.rmtree(corpus, ignore_errors=True)
        chars = make_corpus(seeds, size, corpus)
        out = work / f"out-{size}x"
        progress(f"{size}x: building {chars:,} characters")
        build = full_build(corpus, out)
        progress(f"{size}x: querying")
        record = {
            "size": size,
            "characters": chars,
            "build_seconds": round(build["wall_seconds"], 2),
            "cpu_seconds": round(build["cpu_seconds"], 1),
            "build_chars_per_second": round(chars / build["wall_seconds"]),
            "stage_chars_per_second": {k: round(chars / v) for k, v in build["timings"].items() if v > 0},
            "stage_seconds": {k: round(v, 2) for k, v in build["timings"].items()},
            "peak_memory_mb": round(build["peak_mb"]),
            "output_mb": round(sum(p.stat().st_size for p in out.rglob("*") if p.is_file()) / 1e6, 1),
            "triples": build["triples"],
            "queries": query_latencies(out),
        }
        progress(f"{size}x: jieba")
        record["jieba_chars_per_second"] = round(jieba_speed(corpus))
        records.append(record)
    largest = records[-1]
    corpus, out = work / f"corpus-{largest['size']}x", work / f"out-{largest['size']}x"
    # These machines drift by up to 2x between runs, so the comparisons at the largest
    # size alternate one-process and parallel builds and compare medians.
    singles, parallels, parallelism = [build], [], []  # build: the one above, of the largest size
    for turn in range(2):
        progress(f"{largest['size']}x: {workers} workers ({turn + 1}/2)")
        parallelism.append(machine_parallelism(workers))
        parallels.append(full_build(corpus, work / "out-workers", "--workers", str(workers)))
        if turn == 0:
            progress(f"{largest['size']}x: one process again")
            singles.append(full_build(corpus, work / "out-single"))
    progress(f"{largest['size']}x: incremental rebuild after one article changed")
    changed = sorted(corpus.glob("*.txt"))[len(list(corpus.glob("*.txt"))) // 2]
    changed.write_text(changed.read_text(encoding="utf-8").replace("。", "。新增一句：该市持续推进家庭医生签约服务。", 1), encoding="utf-8")
    incremental = timed_build(corpus, out)
    full = full_build(corpus, work / "out-full-after-change")
    singles.append(full)
    one_process = statistics.median(b["wall_seconds"] for b in singles)
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    largest["workers"] = {
        "processes": workers,
        "build_seconds": [round(b["wall_seconds"], 2) for b in parallels],
        "cpu_seconds": [round(b["cpu_seconds"], 1) for b in parallels],
        "one_process_build_seconds": [round(b["wall_seconds"], 2) for b in singles],
        "one_process_cpu_seconds": [round(b["cpu_seconds"], 1) for b in singles],
        "speedup": round(one_process / statistics.median(b["wall_seconds"] for b in parallels), 2),
        # the most the workers could give: their builds' CPU time spread evenly over
        # the cores this process may use
        "ceiling": round(one_process / (statistics.median(b["cpu_seconds"] for b in parallels) / cores), 2),
        # what the machine gave just before each parallel build (see machine_parallelism)
        "machine_parallelism": [round(x, 2) for x in parallelism],
    }
    largest["incremental"] = {
        "build_seconds": round(incremental["wall_seconds"], 2),
        "full_build_seconds": round(one_process, 2),
        "speedup": round(one_process / incremental["wall_seconds"], 1),
        "articles_reused": incremental["reused"],
        "same_graph_as_full_build": same_graph(out, work / "out-full-after-change"),
    }
    first = records[0]
    ratios = {
        # the median of the one-process builds, as for the other comparisons at this size
        "build_vs_jieba_at_largest": round(largest["characters"] / one_process / largest["jieba_chars_per_second"], 2),
        "time_ratio_largest_vs_smallest": round(largest["build_seconds"] / first["build_seconds"], 1),
        "size_ratio": largest["size"] // first["size"],
        "workers_speedup": largest["workers"]["speedup"],
        "workers_ceiling": largest["workers"]["ceiling"],
        "incremental_speedup": largest["incremental"]["speedup"],
        "peak_memory_mb_at_largest": largest["peak_memory_mb"],
        "max_oxigraph_median_ms_at_largest": largest["queries"]["max_oxigraph_median_ms"],
        "oxigraph_speedup_on_slowest_query": largest["queries"]["speedup_on_slowest"],
    }
    return {"sizes": records, "ratios": ratios}


def table(results: dict) -> str:
    """The figures as a plain-text table."""
    lines = [
        f"{'size':>5} {'chars':>10} {'build s':>8} {'chars/s':>9} {'jieba c/s':>10} {'peak MB':>8} {'out MB':>7} {'oxigraph max ms':>16} {'rdflib slowest ms':>18}",
    ]
    for r in results["sizes"]:
        q = r["queries"]
        lines.append(
            f"{r['size']:>4}x {r['characters']:>10,} {r['build_seconds']:>8.1f} {r['build_chars_per_second']:>9,} {r['jieba_chars_per_second']:>10,} "
            f"{r['peak_memory_mb']:>8} {r['output_mb']:>7} {q['max_oxigraph_median_ms']:>16} {q['rdflib'][q['slowest_rdflib_query']]['median_ms']:>18}"
        )
    lines.append("")
    for r in results["sizes"]:
        lines.append(f"{r['size']}x stages (chars/s): " + ", ".join(f"{k} {v:,}" for k, v in r["stage_chars_per_second"].items()))
    largest = results["sizes"][-1]
    lines += ["", f"{largest['size']}x queries (ms)   oxigraph median/p95   rdflib median ('>=' gave up)"]
    for name, ox_times in largest["queries"]["oxigraph"].items():
        rdf = largest["queries"]["rdflib"][name]
        lines.append(f"  {name:<24} {ox_times['median_ms']:>9} / {ox_times['p95_ms']:<9} {'>=' if rdf.get('timed_out') else '  '}{rdf['median_ms']}")
    lines.append("")
    lines += [f"{k}: {v}" for k, v in results["ratios"].items()]
    lines.append(f"workers: {largest['workers']}")
    lines.append(f"incremental: {largest['incremental']}")
    return "\n".join(lines)
