"""``kg build``: every stage of the pipeline, in order, in one place.

1. ingest    files and folders in, decoded pages out       (:mod:`kg.ingest`)
2. clean-up  OCR lines into paragraphs                     (:mod:`kg.cleanup`, inside 3)
3. articles  pages split into articles with their region   (:mod:`kg.articles`)
4. NLP       entities, canonical names, relations, money   (:mod:`kg.nlp`, :mod:`kg.extract`)
5. graph     RDF with provenance, into an Oxigraph store   (:mod:`kg.graph`, :mod:`kg.store`)
6. view      ``graph.html``                                (:mod:`kg.view`)

Articles stream through: nothing holds the whole corpus in memory.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from itertools import chain
from pathlib import Path
from typing import Iterable, Iterator

from kg import view
from kg.articles import Article, split_page
from kg.extract import extract
from kg.graph import Counts, GraphBuilder
from kg.ingest import InputError, Page, find_files, read_pages
from kg.nlp import load_config, make_nlp
from kg.store import NQUADS, TURTLE, atomic_write, open_store
from kg.store import write as write_store

log = logging.getLogger("kg")


@dataclass
class BuildReport:
    """What a build did: counts, skipped files, time, where the outputs are."""

    out_dir: Path
    counts: Counts
    files: int = 0
    characters: int = 0
    skipped: list[InputError] = field(default_factory=list)
    seconds: float = 0.0
    quads: int = 0
    outputs: dict[str, Path] = field(default_factory=dict)


def build(
    paths: Iterable[Path | str] = ("seeds",),
    out_dir: Path | str = "output",
    config_path: Path | str | None = None,
    progress: bool = False,
) -> BuildReport:
    """Build the graph of the articles under ``paths`` into ``out_dir``.

    Bad files are skipped with an error naming them (see ``report.skipped``); the
    outputs are written only when the whole build succeeds.
    """
    started = time.perf_counter()
    out_dir = Path(out_dir)
    config = load_config(config_path)
    settings = config["kg"]
    paths = [Path(p) for p in paths]
    files = find_files(paths)
    report = BuildReport(out_dir=out_dir, counts=Counts(), files=len(files))

    def skipped(error: InputError) -> None:
        log.error("skipped %s", error)
        report.skipped.append(error)

    # 1-3: pages in, articles out, each remembering the file it came from.
    pages = read_pages(paths, max_bytes=int(settings["max_file_mb"] * 1_000_000), on_error=skipped)
    pages = _with_progress(pages, len(files), progress, report)
    sources: dict[str, str] = {}
    articles = _articles(pages, paths, sources)
    # 4: NLP, streamed in batches.
    nlp = make_nlp(config)
    extractions = extract(nlp, articles, batch_size=int(settings["batch_size"]))
    # 5: the graph, straight into a new store.
    builder = GraphBuilder(settings["base_iri"], extractor="rules" if not settings.get("ner_model") else "rules+ner")
    quads = chain(
        builder.header(),
        (q for ex in extractions for q in builder.article_quads(ex, sources[ex.article.page_id])),
        _later(builder.gazetteer_quads),
    )
    report.quads = write_store(quads, out_dir, entity_base=builder.base)
    report.counts = builder.counts
    # 6: the view, and the config this build ran with.
    view.write(open_store(out_dir), out_dir / "graph.html")
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


def _later(make) -> Iterator:
    """Call ``make()`` only when reached: the gazetteer facts need the regions seen first."""
    yield from make()


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


def _articles(pages: Iterable[Page], roots: list[Path], sources: dict[str, str]) -> Iterator[Article]:
    for page in pages:
        pid = page_id(page.path, roots)
        if pid in sources:
            log.warning("two inputs are both named %s; the second is %s", pid, page.path)
            pid = page.path.as_posix().replace("/", "_")
        sources[pid] = page.path.as_posix()
        try:
            yield from split_page(page.text, pid)
        except Exception as exc:  # a page the splitter cannot read must not stop the run
            log.error("skipped %s: could not split it into articles (%s)", page.path, exc)


def _with_progress(pages: Iterable[Page], total: int, enabled: bool, report: BuildReport) -> Iterator[Page]:
    bar = None
    if enabled:
        from tqdm import tqdm

        bar = tqdm(total=total, unit="file", desc="kg build", dynamic_ncols=True)
    try:
        for page in pages:
            report.characters += len(page.text)
            yield page
            if bar is not None:
                bar.update(1)
                bar.set_postfix_str(f"{report.characters / max(1e-9, bar.format_dict['elapsed']) / 1000:.0f}k chars/s")
    finally:
        if bar is not None:
            bar.update(total - bar.n)
            bar.close()


def summary(report: BuildReport) -> str:
    """A one-screen summary of a build."""
    c = report.counts
    lines = [
        f"Built {report.out_dir}/ in {report.seconds:.1f} s: {report.files} file(s), {c.articles} articles, "
        f"{report.characters:,} characters ({report.characters / max(report.seconds, 1e-9):,.0f} chars/s).",
        "",
        f"Entities: {c.distinct_entities}   " + ", ".join(f"{k} {v}" for k, v in c.entities.most_common()),
        f"Relations: {c.distinct_relations}   " + ", ".join(f"{k} {v}" for k, v in c.relations.most_common()),
        f"Fundings: {c.fundings}   Mentions: {c.mentions}   Triples: {report.quads:,}",
    ]
    if report.skipped:
        lines += ["", f"Skipped {len(report.skipped)} file(s):"] + [f"  {e}" for e in report.skipped]
    lines += ["", "Outputs:"] + [f"  {name:<7} {path}" for name, path in report.outputs.items()]
    lines += ["", f'Query it:  kg query "SELECT ?s ?l WHERE {{ ?s a kg:Program ; rdfs:label ?l }} LIMIT 10" -o {report.out_dir}']
    return "\n".join(lines)
