"""``kg build``: every stage of the pipeline, in order, in one place.

1. ingest    files and folders in, decoded pages out       (:mod:`kg.ingest`)
2. clean-up  OCR lines into paragraphs                     (:mod:`kg.cleanup`, inside 3)
3. articles  pages split into articles with their region   (:mod:`kg.articles`)
4. NLP       entities, canonical names, relations, money   (:mod:`kg.nlp`, :mod:`kg.extract`)
5. graph     each article's RDF with provenance            (:mod:`kg.graph`)
   — stages 1-5 run on batches of files (:mod:`kg.batch`): here, in ``--workers``
     processes, or on a Dask cluster; unchanged pages and articles come from the cache —
6. store     the records streamed to ``graph.trig``, ``graph.ttl`` and an Oxigraph store,
             or the last build's store patched when few pages changed (:mod:`kg.store`)
7. view      ``graph.html``, from what the records noted, drawn while the store compacts (:mod:`kg.view`)

Articles stream through: nothing holds the whole corpus in memory.
"""

from __future__ import annotations

import gc
import json
import logging
import time
from collections import deque
from contextlib import closing
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Callable, Generator, Iterable, Iterator

from kg import view
from kg.batch import Cache, Job, PageEntry, Result, fingerprint, page_key, process
from kg.graph import ArticleRecord, Counts, GraphBuilder
from kg.ingest import SUFFIXES, InputError, find_files
from kg.nlp import load_config
from kg.store import STORE_DIR, TRIG, TURTLE, Span, atomic_write
from kg.store import write as write_store

log = logging.getLogger("kg")
MANIFEST = "manifest.json"  # the pages in the built graph, for the next build to compare
SKIPPED_NAMED = 4  # skipped files the summary's first line names; more are listed below it


class BuildError(RuntimeError):
    """A build that cannot go on: no readable input, a worker process died, Dask is missing."""


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
    patched: bool = False  # the last build's store was patched, not rebuilt
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
    the Dask scheduler at ``dask://HOST:PORT``) share the extraction. With ``cache``,
    pages and articles unchanged since an earlier build into ``out_dir`` are not
    extracted again, and when few pages changed since the last build its store is
    patched rather than rebuilt.
    """
    started = time.perf_counter()
    out_dir = Path(out_dir)
    config = load_config(config_path, rules_only=rules_only)
    settings = config["kg"]
    roots = [Path(p) for p in paths]
    files = find_files(roots)
    if not files:
        raise BuildError(f"no files to read in {', '.join(map(str, roots))}: kg reads {', '.join(SUFFIXES)} files")
    created = not out_dir.exists()
    report = BuildReport(out_dir=out_dir, counts=Counts(), files=len(files), workers=workers)
    config_text = config.to_str()
    print_ = fingerprint(config_text, rules_only)
    max_bytes = int(settings["max_file_mb"] * 1_000_000)
    extractions = Cache.of_pipeline(out_dir / "cache", print_)
    entries = _entries(files, roots, print_, max_bytes)
    last, removed = _previous_build(out_dir, print_, entries, extractions, GraphBuilder(settings["base_iri"]), settings["patch_max_changed"]) if cache else (None, None)
    hits = {e.key for e in entries if cache and e.key and extractions.has_page(e.key, entry_only=e.key in (last or {}))}

    def job(pages: list[PageEntry]) -> Job:
        return Job(config_text, pages, str(extractions.folder), print_, max_bytes, rules_only, reuse=cache)

    builder = GraphBuilder(settings["base_iri"], extractor="rules+model" if settings.get("trained") else "rules")
    results = _run(_jobs([e for e in entries if e.key not in hits], job, workers), workers, scheduler)
    seen = view.Collector()
    built_pages: list[dict] = []
    regions: set[str] = set()  # named by the articles: the gazetteer adds their hierarchy
    drawn: list[Future[str]] = []  # the view, drawn once every record is noted

    def records(drawing: ThreadPoolExecutor) -> Iterator[tuple[ArticleRecord | Span, int | None]]:
        def noted(record: ArticleRecord) -> ArticleRecord:
            report.counts.add(record)
            seen.add(record)
            return record

        header = noted(builder.record(builder.header()))
        # A patched store holds the header already: the same fingerprint (code, ontology,
        # config) writes the same one, and no article restates its lines. Loaded again, its
        # blank nodes would be new ones, a second copy of the ontology's lists.
        yield (replace(header, ntriples=b"") if removed is not None else header), None
        for entry, page, span in _pages(entries, hits, last or {}, results, extractions, job, report, progress):
            if page is None:
                continue
            built_pages.append({"source": entry.source, "key": entry.key, "articles": len(page)})
            if span is not None:
                yield span, len(built_pages) - 1
            for record in page:
                regions.update(record.regions)
                noted(record)
                if span is None:
                    yield record, len(built_pages) - 1
        if not built_pages:
            raise NoInput(f"nothing to build: no file could be read ({skipped_list(report.skipped)})")
        yield noted(builder.record(builder.gazetteer_quads(sorted(regions)))), None
        drawn.append(drawing.submit(draw))  # 7: every record is noted, so the view is drawn while the store compacts

    def draw() -> str:
        started = time.perf_counter()
        html = view.page(seen)
        report.timings["view"] = time.perf_counter() - started
        return html

    store_started = time.perf_counter()
    producing = [0.0]
    # Compacting frees the GIL, so the view has the other core. A failed build stops
    # the workers (closing the results) and leaves every output as it was: the store
    # and the exports move into place only once the view is drawn.
    with closing(results), ThreadPoolExecutor(1) as drawing:
        stream = _timed(records(drawing), producing)
        try:
            report.quads, spans = write_store(stream, out_dir, builder.prefixes, removed=removed, before_moving=lambda: drawn[0].result())
        except NoInput:
            if created and not any(out_dir.iterdir()):
                out_dir.rmdir()  # made for this build, which wrote nothing
            raise
        report.timings["store"] = time.perf_counter() - store_started - producing[0]
        view.write(drawn[0].result(), out_dir / "graph.html")
    for index, span in spans.items():
        built_pages[index].update(trig=span.trig, turtle=span.turtle)
    report.patched = removed is not None
    atomic_write(out_dir / "config.cfg", lambda tmp: config.to_disk(tmp))
    manifest = {"fingerprint": print_, "sizes": _sizes(out_dir), "pages": built_pages, "regions": sorted(regions)}
    atomic_write(out_dir / MANIFEST, lambda tmp: tmp.write_text(json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8"))
    if dropped := extractions.drop_others():
        log.info("removed %d extraction cache(s) of other pipelines: %s", len(dropped), ", ".join(dropped))
    report.outputs = {
        "store": out_dir / "store",
        "turtle": out_dir / TURTLE,
        "trig": out_dir / TRIG,
        "view": out_dir / "graph.html",
        "config": out_dir / "config.cfg",
    }
    report.seconds = time.perf_counter() - started
    return report


def _entries(files: list[Path], roots: list[Path], fingerprint_: str, max_bytes: int) -> list[PageEntry]:
    """Each file with its page id, source name and content key (None when it is too
    big or unreadable: the worker that reads it reports why)."""
    seen: set[str] = set()
    entries = []
    for path in files:
        pid = page_id(path, roots)
        if pid in seen:
            log.warning("two inputs are both named %s; the second is %s", pid, path)
            pid = path.as_posix().replace("/", "_")
        seen.add(pid)
        entry = PageEntry(str(path), pid, source_name(path, roots), None)
        try:
            if path.stat().st_size <= max_bytes:
                entry.key = page_key(fingerprint_, entry, path.read_bytes())
        except OSError:
            pass
        entries.append(entry)
    return entries


def _previous_build(out_dir: Path, fingerprint_: str, entries: list[PageEntry], cache: Cache, hierarchy_of: GraphBuilder, max_changed: float) -> tuple[dict[str, Span] | None, list[bytes] | None]:
    """The pages of the last build that are still here, each with where it is in the
    last ``graph.trig`` and ``graph.ttl``, and the N-Triples to take out of its store:
    the pages gone since (or changed) and the last region hierarchy (written by
    ``hierarchy_of``, a fresh builder; the new one states again what still holds). Only
    when patching that build is worth it (same pipeline, files as it left them, at most
    ``max_changed`` of the pages changed); otherwise ``(None, None)``."""
    try:
        last = json.loads((out_dir / MANIFEST).read_text(encoding="utf-8"))
        stored = {page["key"]: page for page in last["pages"]}
        last_regions = last["regions"]
        if last["fingerprint"] != fingerprint_ or last["sizes"] != _sizes(out_dir) or not (out_dir / STORE_DIR).is_dir():
            return None, None
    except (OSError, ValueError, KeyError, TypeError):
        return None, None
    keys = {e.key for e in entries}
    gone = stored.keys() - keys
    changed = sum(1 for key in keys if key not in stored)
    if max(len(gone), changed) > max_changed * max(1, len(stored)):
        return None, None
    removed = [hierarchy_of.record(hierarchy_of.gazetteer_quads(last_regions)).ntriples]
    for key in sorted(gone):
        page = cache.page(key)
        if page is None:
            return None, None
        removed += [record.ntriples for record in page[0]]
    try:
        kept = {key: Span(tuple(page["trig"]), tuple(page["turtle"]), set()) for key, page in stored.items() if key in keys}
    except (KeyError, TypeError):
        return None, None
    return kept, removed


def _sizes(out_dir: Path) -> dict[str, int]:
    """The sizes of the last build's ``graph.trig`` and ``graph.ttl`` (0 when missing)."""
    return {name: (out_dir / name).stat().st_size if (out_dir / name).exists() else 0 for name in (TRIG, TURTLE)}


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


def _jobs(pages: list[PageEntry], job: Callable[[list[PageEntry]], Job], workers: int) -> list[Job]:
    """Pages in batches: small enough to spread over the workers, large enough to batch NLP.
    With workers, the batches shrink towards the end, so that the workers finish together
    rather than one idling while another works through a last big batch.

    >>> [len(j) for j in _jobs(list(range(40)), list, 2)]
    [5, 4, 3, 3, 3, 2, 2, 2, 2, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1]
    """
    jobs, start = [], 0
    while start < len(pages):
        size = 8 if workers <= 1 else max(1, min(8, (len(pages) - start) // (workers * 4)))
        jobs.append(job(pages[start : start + size]))
        start += size
    return jobs


def _run(jobs: list[Job], workers: int, scheduler: str | None) -> Generator[Result, None, None]:
    """Results in job order: here, in a pool of processes, or on a Dask cluster; closing
    the generator stops the work."""
    if scheduler:
        return _run_dask(jobs, scheduler)
    if workers <= 1:
        return (process(job) for job in jobs)
    return _run_pool(jobs, workers)


def _run_pool(jobs: list[Job], workers: int) -> Generator[Result, None, None]:
    """Map the jobs over ``workers`` processes, started now, before the store opens and
    its threads start: where the system can, they are forked from this process, so
    they begin at once with the modules it has imported (spawned ones would spend a
    second and more importing them again). A worker that dies (killed, out of memory)
    fails the build with an error rather than hanging it."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool

    method = "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
    # What is imported by now lives as long as the process: frozen, the collector no longer
    # scans it, here or in the forked workers (whose pages it would copy), nor at exit
    # (0.3 s). It stays frozen: a process that builds with workers builds for a living.
    gc.freeze()
    pool = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context(method))
    results = pool.map(process, jobs)  # submits every job, which starts the workers

    def in_order() -> Iterator[Result]:
        try:
            for done, result in enumerate(results, 1):
                if done == len(jobs):  # the last result: the workers exit while the store is finished
                    pool.shutdown(wait=False)
                yield result
        except BrokenProcessPool as exc:
            raise BuildError(f"a worker process died ({exc}): the outputs are unchanged; if memory ran short, try fewer --workers") from exc
        finally:  # done, or the build failed: jobs not yet started are dropped
            pool.shutdown(cancel_futures=True)

    return in_order()


def _run_dask(jobs: list[Job], scheduler: str) -> Generator[Result, None, None]:
    """Map the jobs over a Dask cluster (``dask://HOST:PORT`` or ``tcp://HOST:PORT``)."""
    try:
        from distributed import Client
    except ImportError as exc:
        raise BuildError("--scheduler needs Dask: pip install 'kg[dask]'") from exc
    address = scheduler.replace("dask://", "tcp://", 1)
    with Client(address, timeout="30s") as client:
        futures = client.map(process, jobs, pure=False)
        for future in futures:
            yield future.result()
            future.release()


def _pages(entries: list[PageEntry], hits: set[str], last: dict[str, Span], results: Iterable[Result], cache: Cache, job: Callable[[list[PageEntry]], Job], report: BuildReport, progress: bool) -> Iterator[tuple[PageEntry, list[ArticleRecord] | None, Span | None]]:
    """Each page's records, in input order, with the bookkeeping of the report and a
    progress bar: a page in the ``last`` build's files as a :class:`Span` of them and
    its records' summaries; another from the cache, or from the results of the jobs
    (which come in the same order). None for a page that was skipped."""
    bar = None
    if progress:
        from tqdm import tqdm

        bar = tqdm(total=len(entries), unit="file", desc="kg build", dynamic_ncols=True)
    results = iter(results)
    pending: deque = deque()
    started = time.perf_counter()
    try:
        for entry in entries:
            before = time.perf_counter()
            span = None
            page = cache.page_summary(entry.key) if entry.key in last and entry.key in hits else None
            if page is not None:
                span = last[entry.key]
                span.shared = {digest for record in page[0] for digest in record.shared}
            elif entry.key in hits:
                page = cache.page(entry.key)
            if page is not None:
                records, characters = page
                report.reused += len(records)
                report.characters += characters
                report.timings["cache"] = report.timings.get("cache", 0.0) + time.perf_counter() - before
            elif entry.key in hits:  # damaged since it was found: extract it here
                records = _account(process(job([entry])), report)[0]
            else:
                while not pending:
                    pending.extend(_account(next(results), report))
                records = pending.popleft()
            if bar is not None:
                bar.update(1)
                bar.set_postfix_str(f"{report.characters / max(1e-9, time.perf_counter() - started) / 1000:.0f}k chars/s")
            yield entry, records, span
    finally:
        if bar is not None:
            bar.close()


def _account(result: Result, report: BuildReport) -> list[list[ArticleRecord] | None]:
    """Note a job's result in the report; its pages' records."""
    for path, reason in result.skipped:
        error = InputError(Path(path), reason)
        log.error("skipped %s", error)
        report.skipped.append(error)
    report.characters += result.characters
    report.reused += result.reused
    for stage, seconds in result.timings.items():
        report.timings[stage] = report.timings.get(stage, 0.0) + seconds
    return result.pages


def _timed(items: Iterable, seconds: list[float]) -> Iterator:
    """``items``, adding the time spent producing them to ``seconds[0]``."""
    iterator = iter(items)
    while True:
        before = time.perf_counter()
        try:
            item = next(iterator)
        except StopIteration:
            return
        finally:
            seconds[0] += time.perf_counter() - before
        yield item


class NoInput(BuildError):
    """Not one of the files given could be read."""


def skipped_list(skipped: list[InputError], limit: int = SKIPPED_NAMED) -> str:
    """The files skipped and why, by name, the first ``limit`` of them.

    >>> skipped_list([InputError(Path("in/a.xlsx"), "not a supported format"), InputError(Path("b.pdf"), "no text layer: OCR it first")])
    'a.xlsx: not a supported format; b.pdf: no text layer: OCR it first'
    """
    listed = "; ".join(f"{e.path.name}: {e.reason}" for e in skipped[:limit])
    return listed + (f"; and {len(skipped) - limit} more, listed below" if len(skipped) > limit else "")


def summary(report: BuildReport) -> str:
    """A one-screen summary of a build."""
    c = report.counts
    stages = ", ".join(f"{k} {v:.1f}" for k, v in report.timings.items())
    reused = f", {report.reused} article(s) reused from the cache" if report.reused else ""
    reused += " (the last build's store patched)" if report.patched else ""
    files = f"{report.files} file{'s' * (report.files != 1)}" + (
        f": {report.files - len(report.skipped)} built, {len(report.skipped)} skipped ({skipped_list(report.skipped)});" if report.skipped else ","
    )
    lines = [
        f"Built {report.out_dir}/ in {report.seconds:.1f} s: {files} {c.articles} articles{reused}, "
        f"{report.characters:,} characters ({report.characters / max(report.seconds, 1e-9):,.0f} chars/s).",
        f"Seconds by stage{' (summed over workers)' if report.workers > 1 else ''}: {stages}.",
        "",
        f"Entities: {c.distinct_entities}   " + ", ".join(f"{k} {v}" for k, v in c.entities.most_common()),
        f"Relations: {c.distinct_relations} distinct, in {c.statements} statements with their evidence   " + ", ".join(f"{k} {v}" for k, v in c.relations.most_common()),
        f"Fundings: {c.fundings}   Mentions: {c.mentions}   Triples: {report.quads:,}",
    ]
    if len(report.skipped) > SKIPPED_NAMED:
        lines += ["", f"Skipped {len(report.skipped)} files:"] + [f"  {e}" for e in report.skipped]
    lines += ["", "Outputs:"] + [f"  {name:<7} {path}" for name, path in report.outputs.items()]
    lines += ["", f'Query it:  kg query "SELECT ?s ?l WHERE {{ ?s a kg:Program ; rdfs:label ?l }} LIMIT 10" -g {report.out_dir}']
    return "\n".join(lines)
