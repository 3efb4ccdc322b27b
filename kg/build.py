"""``kg build``: every stage of the pipeline, in order, in one place.

1. ingest    files and folders in, decoded pages out       (:mod:`kg.ingest`)
2. clean-up  OCR lines into paragraphs                     (:mod:`kg.cleanup`, inside 3)
3. articles  pages split into articles with their region   (:mod:`kg.articles`)
4. NLP       entities, canonical names, relations, money   (:mod:`kg.nlp`, :mod:`kg.extract`)
5. graph     each article's RDF with provenance            (:mod:`kg.graph`)
   — stages 1-5 run on batches of files (:mod:`kg.batch`): here, in ``--workers``
     processes, or on a Dask cluster; unchanged articles come from the cache —
6. store     the records streamed into an Oxigraph store and exported (:mod:`kg.store`)
7. view      ``graph.html``                                (:mod:`kg.view`)

Articles stream through: nothing holds the whole corpus in memory.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Iterator

from kg import view
from kg.batch import Job, Result, fingerprint, process
from kg.graph import Counts, GraphBuilder
from kg.ingest import InputError, find_files
from kg.nlp import load_config
from kg.store import NQUADS, TURTLE, as_ntriples, atomic_write
from kg.store import write as write_store

log = logging.getLogger("kg")


@dataclass
class BuildReport:
    """What a build did: counts, skipped files, time per stage, where the outputs are."""

    out_dir: Path
    counts: Counts
    files: int = 0
    characters: int = 0
    skipped: list[InputError] = field(default_factory=list)
    seconds: float = 0.0
    quads: int = 0
    reused: int = 0
    workers: int = 1
    timings: dict[str, float] = field(default_factory=dict)
    outputs: dict[str, Path] = field(default_factory=dict)


def build(
    paths: Iterable[Path | str] = ("seeds",),
    out_dir: Path | str = "output",
    config_path: Path | str | None = None,
    progress: bool = False,
    rules_only: bool = False,
    workers: int = 1,
    scheduler: str | None = None,
    cache: bool = True,
) -> BuildReport:
    """Build the graph of the articles under ``paths`` into ``out_dir``.

    Bad files are skipped with an error naming them (see ``report.skipped``); the
    outputs are written only when the whole build succeeds. ``workers`` processes (or
    the Dask scheduler at ``dask://HOST:PORT``) share the extraction; with ``cache``,
    articles unchanged since the last build into ``out_dir`` are not extracted again.
    """
    started = time.perf_counter()
    out_dir = Path(out_dir)
    config = load_config(config_path, rules_only=rules_only)
    settings = config["kg"]
    roots = [Path(p) for p in paths]
    files = find_files(roots)
    report = BuildReport(out_dir=out_dir, counts=Counts(), files=len(files), workers=workers)
    config_text = config.to_str()
    jobs = _jobs(files, roots, config_text, out_dir, cache, rules_only, int(settings["max_file_mb"] * 1_000_000), workers)
    results = _run(jobs, workers, scheduler)
    builder = GraphBuilder(settings["base_iri"], extractor="rules+model" if settings.get("trained") else "rules")
    waiting = [0.0]

    def chunks() -> Iterator[tuple[str, str | None]]:
        yield as_ntriples(builder.header()), None
        regions: set[str] = set()
        for result in _with_progress(results, len(files), progress, report, waiting):
            for record in result.records:
                report.counts.add(record)
                regions.update(record.regions)
                yield record.ntriples, record.graph
        yield as_ntriples(builder.gazetteer_quads(regions)), None

    def view_while_exporting(store) -> None:
        # 7: the view, drawn while the store exports Turtle on another thread.
        started_view = time.perf_counter()
        view.write(store, out_dir / "graph.html")
        report.timings["view"] = time.perf_counter() - started_view

    store_started = time.perf_counter()
    report.quads = write_store(chunks(), out_dir, entity_base=builder.base, while_exporting=view_while_exporting)
    report.timings["store"] = time.perf_counter() - store_started - waiting[0] - report.timings["view"]
    for key in builder.counts._seen_entities:
        report.counts.entity(*key)
    for key in builder.counts._seen_relations:
        report.counts.relation(*key)
    report.counts.statements += builder.counts.statements
    atomic_write(out_dir / "config.cfg", lambda tmp: config.to_disk(tmp))
    report.outputs = {
        "store": out_dir / "store",
        "turtle": out_dir / TURTLE,
        "nquads": out_dir / NQUADS,
        "view": out_dir / "graph.html",
        "config": out_dir / "config.cfg",
    }
    report.seconds = time.perf_counter() - started
    return report


def source_name(path: Path, roots: list[Path]) -> str:
    """How the graph names a page's file: the input folder's name and the path under it
    (``seeds/000_9ae0e2e588ed5348.txt``), or the file's own name; never where the
    folder happens to sit on this machine."""
    for root in roots:
        if root.is_dir():
            try:
                return (Path(root.resolve().name) / path.resolve().relative_to(root.resolve())).as_posix()
            except ValueError:
                continue
    return path.name


def page_id(path: Path, roots: list[Path]) -> str:
    """A page's identifier: its path under the input folder it was found in, without
    suffix (``000_9ae0e2e588ed5348`` for ``seeds/000_9ae0e2e588ed5348.txt``)."""
    for root in roots:
        if root.is_dir():
            try:
                return path.relative_to(root).with_suffix("").as_posix()
            except ValueError:
                continue
    return path.stem


def _jobs(files: list[Path], roots: list[Path], config_text: str, out_dir: Path, cache: bool, rules_only: bool, max_bytes: int, workers: int) -> list[Job]:
    """Files in batches: small enough to spread over the workers, large enough to batch NLP."""
    seen: set[str] = set()
    entries = []
    for path in files:
        pid = page_id(path, roots)
        if pid in seen:
            log.warning("two inputs are both named %s; the second is %s", pid, path)
            pid = path.as_posix().replace("/", "_")
        seen.add(pid)
        entries.append((str(path), pid, source_name(path, roots)))
    size = 8 if workers <= 1 else max(1, min(8, len(entries) // (workers * 4) or 1))
    print_ = fingerprint(config_text, rules_only)
    cache_dir = str(out_dir / "cache")
    return [Job(config_text, entries[i : i + size], cache_dir, print_, max_bytes, rules_only, reuse=cache) for i in range(0, len(entries), size)]


def _run(jobs: list[Job], workers: int, scheduler: str | None) -> Iterator[Result]:
    """Results in job order: here, in a pool of processes, or on a Dask cluster."""
    if scheduler:
        yield from _run_dask(jobs, scheduler)
    elif workers <= 1:
        for job in jobs:
            yield process(job)
    else:
        import multiprocessing

        with multiprocessing.get_context("spawn").Pool(workers) as pool:
            yield from pool.imap(process, jobs)


def _run_dask(jobs: list[Job], scheduler: str) -> Iterator[Result]:
    """Map the jobs over a Dask cluster (``dask://HOST:PORT`` or ``tcp://HOST:PORT``)."""
    try:
        from distributed import Client
    except ImportError as exc:
        raise RuntimeError("--scheduler needs Dask: pip install 'kg[dask]'") from exc
    address = scheduler.replace("dask://", "tcp://", 1)
    with Client(address, timeout="30s") as client:
        futures = client.map(process, jobs, pure=False)
        for future in futures:
            yield future.result()
            future.release()


def _with_progress(results: Iterable[Result], total: int, enabled: bool, report: BuildReport, waiting: list[float]) -> Iterator[Result]:
    """Results, with a progress bar, the report's bookkeeping, and the time spent waiting
    for them (which is extraction, not store writing)."""
    bar = None
    if enabled:
        from tqdm import tqdm

        bar = tqdm(total=total, unit="file", desc="kg build", dynamic_ncols=True)
    iterator = iter(results)
    started = time.perf_counter()
    try:
        while True:
            before = time.perf_counter()
            try:
                result = next(iterator)
            except StopIteration:
                break
            waiting[0] += time.perf_counter() - before
            for path, reason in result.skipped:
                error = InputError(Path(path), reason)
                log.error("skipped %s", error)
                report.skipped.append(error)
            report.characters += result.characters
            report.reused += result.reused
            for stage, seconds in result.timings.items():
                report.timings[stage] = report.timings.get(stage, 0.0) + seconds
            if bar is not None:
                bar.update(result.files + len(result.skipped))
                bar.set_postfix_str(f"{report.characters / max(1e-9, time.perf_counter() - started) / 1000:.0f}k chars/s")
            yield result
    finally:
        if bar is not None:
            bar.close()


def summary(report: BuildReport) -> str:
    """A one-screen summary of a build."""
    c = report.counts
    stages = ", ".join(f"{k} {v:.1f}" for k, v in report.timings.items())
    reused = f", {report.reused} article(s) reused from the cache" if report.reused else ""
    lines = [
        f"Built {report.out_dir}/ in {report.seconds:.1f} s: {report.files} file(s), {c.articles} articles{reused}, "
        f"{report.characters:,} characters ({report.characters / max(report.seconds, 1e-9):,.0f} chars/s).",
        f"Seconds by stage{' (summed over workers)' if report.workers > 1 else ''}: {stages}.",
        "",
        f"Entities: {c.distinct_entities}   " + ", ".join(f"{k} {v}" for k, v in c.entities.most_common()),
        f"Relations: {c.distinct_relations} distinct, in {c.statements} statements with their evidence   " + ", ".join(f"{k} {v}" for k, v in c.relations.most_common()),
        f"Fundings: {c.fundings}   Mentions: {c.mentions}   Triples: {report.quads:,}",
    ]
    if report.skipped:
        lines += ["", f"Skipped {len(report.skipped)} file(s):"] + [f"  {e}" for e in report.skipped]
    lines += ["", "Outputs:"] + [f"  {name:<7} {path}" for name, path in report.outputs.items()]
    lines += ["", f'Query it:  kg query "SELECT ?s ?l WHERE {{ ?s a kg:Program ; rdfs:label ?l }} LIMIT 10" -o {report.out_dir}']
    return "\n".join(lines)
