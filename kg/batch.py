"""The unit of work of a build: a batch of files in, their articles' graph records out.

:func:`process` runs stages 1-5 of :mod:`kg.build` for some files: ingest, clean-up and
article splitting, NLP, and the graph records. It is a plain function of plain data, so
the build can run it in this process, in a pool of worker processes (``--workers N``),
or on a Dask cluster (``--scheduler dask://HOST:PORT``), and it reuses the cache: an
article whose text and pipeline are unchanged is not extracted again.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

from kg import __version__
from kg.articles import split_page
from kg.graph import ArticleRecord, GraphBuilder
from kg.ingest import InputError, read_page

log = logging.getLogger("kg")


@dataclass
class Job:
    """What a worker needs to process files: the pipeline config (as text), the page ids
    and source names of its files, where the cache is, and whether to reuse what it holds
    (``reuse=False`` extracts everything again and refreshes the cache)."""

    config: str
    files: list[tuple[str, str, str]]  # (path, page id, source name)
    cache_dir: str | None
    fingerprint: str
    max_bytes: int
    rules_only: bool = False
    reuse: bool = True


@dataclass
class Result:
    records: list[ArticleRecord] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (path, reason)
    characters: int = 0
    files: int = 0
    reused: int = 0
    timings: dict[str, float] = field(default_factory=dict)


_PIPELINES: dict[str, tuple] = {}


def _pipeline(config_text: str, rules_only: bool):
    """The NLP pipeline and graph builder for a config, made once per process."""
    key = hashlib.sha1((config_text + str(rules_only)).encode()).hexdigest()
    if key not in _PIPELINES:
        from thinc.api import Config

        from kg.nlp import make_nlp

        config = Config().from_str(config_text)
        settings = config["kg"]
        builder = GraphBuilder(settings["base_iri"], extractor="rules+model" if settings.get("trained") else "rules")
        _PIPELINES[key] = (make_nlp(config), builder, int(settings["batch_size"]))
    return _PIPELINES[key]


def process(job: Job) -> Result:
    """Stages 1-5 for the job's files."""
    from kg.extract import extract

    nlp, builder, batch_size = _pipeline(job.config, job.rules_only)
    result = Result()
    cache = Cache(Path(job.cache_dir), job.fingerprint) if job.cache_dir else None
    todo, sources, order = [], {}, []
    for path, page_id, source in job.files:
        started = time.perf_counter()
        try:
            page = read_page(Path(path), job.max_bytes)
        except InputError as exc:
            result.skipped.append((path, exc.reason))
            continue
        finally:
            _add(result.timings, "ingest", started)
        result.files += 1
        result.characters += len(page.text)
        started = time.perf_counter()
        try:
            articles = split_page(page.text, page_id)
        except Exception as exc:  # a page the splitter cannot read must not stop the run
            result.skipped.append((path, f"could not split it into articles ({exc})"))
            continue
        finally:
            _add(result.timings, "articles", started)
        sources[page_id] = source
        for article in articles:
            cached = cache.get(article, source) if cache and job.reuse else None
            order.append((article.id, cached))
            if cached is None:
                todo.append(article)
            else:
                result.reused += 1
    fresh: dict[str, ArticleRecord] = {}
    stages: dict[str, float] = {}
    for extraction in extract(nlp, todo, batch_size=batch_size, timings=stages):
        started = time.perf_counter()
        record = builder.article(extraction, sources[extraction.article.page_id])
        _add(result.timings, "graph", started)
        fresh[extraction.article.id] = record
        if cache:
            cache.put(extraction.article, sources[extraction.article.page_id], record)
    for stage, seconds in stages.items():
        result.timings[stage] = result.timings.get(stage, 0.0) + seconds
    result.records = [cached if cached is not None else fresh[article_id] for article_id, cached in order]
    return result


def _add(timings: dict[str, float], stage: str, started: float) -> None:
    timings[stage] = timings.get(stage, 0.0) + time.perf_counter() - started


class Cache:
    """Article records by content: the key is the pipeline's fingerprint, the article's
    id and source, and its text; a changed article (or pipeline) misses."""

    def __init__(self, folder: Path, fingerprint: str):
        self.folder = folder
        self.fingerprint = fingerprint

    def _path(self, article, source: str) -> Path:
        key = hashlib.sha1("\0".join([self.fingerprint, article.id, source, article.title, article.text]).encode()).hexdigest()
        return self.folder / key[:2] / f"{key}.json"

    def get(self, article, source: str) -> ArticleRecord | None:
        path = self._path(article, source)
        if not path.exists():
            return None
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            return ArticleRecord(data["ntriples"], data["graph"], [tuple(e) for e in data["entities"]], [tuple(r) for r in data["relations"]], data["regions"], data["mentions"], data["fundings"], data["statements"])
        except (OSError, ValueError, KeyError):
            return None  # a damaged entry is a miss

    def put(self, article, source: str, record: ArticleRecord) -> None:
        path = self._path(article, source)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(json.dumps(asdict(record), ensure_ascii=False), encoding="utf-8")
        os.replace(tmp, path)


def fingerprint(config_text: str, rules_only: bool) -> str:
    """What an article's extraction depends on besides its text: the package's code and
    data (rules, lexicon, ontology, models) and the config."""
    digest = hashlib.sha1(f"{__version__}\0{rules_only}\0{config_text}".encode())
    package = Path(__file__).parent
    for path in sorted(list(package.rglob("*.py")) + list(package.rglob("*.tsv")) + list(package.rglob("*.txt")) + list((package / "models").rglob("*")) + [package.parent / "ontology" / "kg.ttl"]):
        if path.is_file() and "__pycache__" not in path.parts:
            digest.update(path.relative_to(package.parent).as_posix().encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()
