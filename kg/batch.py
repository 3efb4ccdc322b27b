"""The unit of work of a build: a batch of pages in, their articles' graph records out.

:func:`process` runs stages 1-5 of :mod:`kg.build` for some pages: ingest, clean-up and
article splitting, NLP, and the graph records. It is a plain function of plain data, so
the build can run it in this process, in a pool of worker processes (``--workers N``),
or on a Dask cluster (``--scheduler dask://HOST:PORT``).

The :class:`Cache` keeps every record by content, at two levels: a page whose bytes
and pipeline are unchanged is not even read again (the build takes its records from
the cache), and within a changed page, an unchanged article is not extracted again.
"""

from __future__ import annotations

import contextlib
import gc
import hashlib
import json
import logging
import os
import re
import shutil
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

from kg import __version__
from kg.articles import page_articles
from kg.graph import ArticleRecord, GraphBuilder
from kg.ingest import InputError, read_page
from kg.store import Background

log = logging.getLogger("kg")


@dataclass
class PageEntry:
    """One input file: where it is, its page id, how the graph names it, and its
    content key (None when it could not be read for hashing)."""

    path: str
    page_id: str
    source: str
    key: str | None


@dataclass
class Job:
    """What a worker needs to process pages: the pipeline config (as text), the pages,
    where the cache is, and whether to reuse what it holds (``reuse=False`` extracts
    everything again and refreshes the cache)."""

    config: str
    pages: list[PageEntry]
    cache_dir: str | None
    fingerprint: str
    max_bytes: int
    rules_only: bool = False
    reuse: bool = True


@dataclass
class Result:
    pages: list[list[ArticleRecord] | None] = field(default_factory=list)  # one per page of the job, None when skipped
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
        gc.freeze()  # the pipeline lives as long as the process: the collector need not scan it again
    return _PIPELINES[key]


def process(job: Job) -> Result:
    """Stages 1-5 for the job's pages."""
    from kg.extract import extract

    nlp, builder, batch_size = _pipeline(job.config, job.rules_only)
    result = Result()
    cache = Cache(Path(job.cache_dir)) if job.cache_dir else None
    todo, sources, pages = [], {}, []  # pages: (entry, [(article id, article key, cached record)] or None, characters)
    for entry in job.pages:
        started = time.perf_counter()
        try:
            page = read_page(Path(entry.path), job.max_bytes)
        except InputError as exc:
            result.skipped.append((entry.path, exc.reason))
            pages.append((entry, None, 0))
            continue
        finally:
            _add(result.timings, "ingest", started)
        result.files += 1
        result.characters += len(page.text)
        started = time.perf_counter()
        try:
            articles = page_articles(page.text, entry.page_id, page.document)
        except Exception as exc:  # a page the splitter cannot read must not stop the run
            result.skipped.append((entry.path, f"could not split it into articles ({exc})"))
            pages.append((entry, None, 0))
            continue
        finally:
            _add(result.timings, "articles", started)
        sources[entry.page_id] = entry.source
        slots = []
        for article in articles:
            key = article_key(job.fingerprint, article, entry.source)
            cached = cache.record(key) if cache and job.reuse else None
            slots.append((article.id, key, cached))
            if cached is None:
                todo.append(article)
            else:
                result.reused += 1
        pages.append((entry, slots, len(page.text)))
    fresh: dict[str, ArticleRecord] = {}
    stages: dict[str, float] = {}
    keys = {article_id: key for _, slots, _ in pages for article_id, key, cached in slots or () if cached is None}
    with cache.writing_in_background() if cache else contextlib.nullcontext():
        for extraction in extract(nlp, todo, batch_size=batch_size, timings=stages):
            started = time.perf_counter()
            record = fresh[extraction.article.id] = builder.article(extraction, sources[extraction.article.page_id])
            _add(result.timings, "graph", started)
            if cache:
                cache.put(keys[extraction.article.id], record)
        for entry, slots, characters in pages:
            records = [cached or fresh[article_id] for article_id, _, cached in slots or ()]
            if cache and entry.key and slots is not None:
                cache.put_page(entry.key, [key for _, key, _ in slots], characters, records)
            result.pages.append(records if slots is not None else None)
    for stage, seconds in stages.items():
        result.timings[stage] = result.timings.get(stage, 0.0) + seconds
    return result


def _add(timings: dict[str, float], stage: str, started: float) -> None:
    timings[stage] = timings.get(stage, 0.0) + time.perf_counter() - started


def page_key(fingerprint: str, entry: PageEntry, data: bytes) -> str:
    """A page's cache key: the pipeline's fingerprint, its id and source, its bytes."""
    return hashlib.sha1("\0".join([fingerprint, entry.page_id, entry.source]).encode() + b"\0" + data).hexdigest()


def article_key(fingerprint: str, article, source: str) -> str:
    """An article's cache key: the pipeline's fingerprint, its id, source, text and metadata."""
    metadata = [article.date, article.source, article.publisher, article.author]
    return hashlib.sha1("\0".join([fingerprint, article.id, source, article.title, article.text, *metadata]).encode()).hexdigest()


_NAME_LENGTH = 16  # a pipeline's cache folder is named by the start of its fingerprint
_CACHE_FOLDER = re.compile(f"[0-9a-f]{{{_NAME_LENGTH}}}")


class Cache:
    """Records by content key: ``articles/`` holds each article's record in one file (a
    line of JSON, its summary with the sizes of its triples, then its N-Triples and its
    Turtle), ``pages/`` the article keys of each page and its records' summaries. A
    damaged entry is a miss. A build's cache is one folder per pipeline (see
    :func:`fingerprint`), beside those of earlier pipelines until :meth:`drop_others`."""

    def __init__(self, folder: Path):
        self.folder = folder
        self._writer: Background | None = None

    @classmethod
    def of_pipeline(cls, root: Path, fingerprint_: str) -> "Cache":
        """The cache of the pipeline with this :func:`fingerprint`, in a folder under ``root``."""
        return cls(root / fingerprint_[:_NAME_LENGTH])

    def drop_others(self, keep: int = 1) -> list[str]:
        """Mark this cache as just used, and remove the folders beside it but the caches
        of the ``keep`` other pipelines used most recently: two pipelines taking turns
        (``kg build`` and ``kg build --rules``) both keep theirs, and those of past code,
        config or models do not pile up. Returns the names removed (none while this cache
        holds nothing).

        >>> import tempfile
        >>> root = Path(tempfile.mkdtemp())
        >>> for age, name in enumerate(["a" * 16, "b" * 16, "c" * 16, "articles"]):
        ...     (root / name).mkdir()
        ...     os.utime(root / name, (1e9 - age, 1e9 - age))
        >>> Cache(root / ("c" * 16)).drop_others(), sorted(p.name for p in root.iterdir())
        (['articles', 'bbbbbbbbbbbbbbbb'], ['aaaaaaaaaaaaaaaa', 'cccccccccccccccc'])
        """
        if not self.folder.is_dir():
            return []
        os.utime(self.folder)
        others = [p for p in self.folder.parent.iterdir() if p != self.folder and p.is_dir() and not p.is_symlink()]
        pipelines = sorted((p for p in others if _CACHE_FOLDER.fullmatch(p.name)), key=lambda p: p.stat().st_mtime, reverse=True)
        removed = []
        for other in sorted(set(others) - set(pipelines[:keep])):
            shutil.rmtree(other, ignore_errors=True)
            if not other.exists():
                removed.append(other.name)
        return removed

    @contextlib.contextmanager
    def writing_in_background(self) -> Iterator["Cache"]:
        """Within the block, entries are encoded here and written to disk on a thread of
        their own (file writes release the GIL, so they overlap the extraction); leaving
        it waits for every write."""
        with Background(lambda item: _write_file(*item), depth=64) as self._writer:
            yield self
        self._writer = None

    def _path(self, kind: str, key: str, suffix: str = ".json") -> Path:
        return self.folder / kind / key[:2] / f"{key}{suffix}"

    def _read(self, kind: str, key: str):
        try:
            return json.loads(self._path(kind, key).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None

    def _write(self, kind: str, key: str, data, suffix: str = ".json") -> None:
        path = self._path(kind, key, suffix)
        payload = data if isinstance(data, bytes) else json.dumps(data, ensure_ascii=False).encode("utf-8")
        if self._writer is not None:
            self._writer.put((path, payload))
        else:
            _write_file(path, payload)

    def record(self, key: str) -> ArticleRecord | None:
        try:
            head, _, triples = self._path("articles", key, ".rec").read_bytes().partition(b"\n")
            summary = json.loads(head)
            sizes = summary.pop("sizes")
        except (OSError, ValueError, TypeError, AttributeError, KeyError):
            return None
        if not isinstance(sizes, list) or sum(sizes) != len(triples):
            return None
        return _record(dict(summary, ntriples=triples[: sizes[0]], turtle=triples[sizes[0] :]))

    def put(self, key: str, record: ArticleRecord) -> None:
        head = dict(_summary(record), sizes=[len(record.ntriples), len(record.turtle)])
        self._write("articles", key, json.dumps(head, ensure_ascii=False).encode("utf-8") + b"\n" + record.ntriples + record.turtle, ".rec")

    def has_page(self, key: str, entry_only: bool = False) -> bool:
        """Whether a page and all its articles are held (without reading the records);
        with ``entry_only``, whether its entry is (a stat, no read: enough for a page
        whose triples the last build's files hold, of which only the summary is read)."""
        if entry_only:
            return self._path("pages", key).is_file()
        data = self._read("pages", key)
        return isinstance(data, dict) and all(self._path("articles", k, ".rec").exists() for k in data.get("articles", []))

    def page(self, key: str) -> tuple[list[ArticleRecord], int] | None:
        """A page's records and its length in characters, or None."""
        data = self._read("pages", key)
        if not isinstance(data, dict):
            return None
        records = [self.record(k) for k in data.get("articles", [])]
        return None if None in records else (records, int(data.get("characters", 0)))

    def page_summary(self, key: str) -> tuple[list[ArticleRecord], int] | None:
        """A page's records without their triples (``ntriples`` and ``turtle`` empty),
        read from the page entry alone, and its length in characters; or None."""
        data = self._read("pages", key)
        try:
            records = [_record(dict(summary, ntriples=b"", turtle=b"")) for summary in data["summaries"]]
            return None if None in records else (records, int(data["characters"]))
        except (TypeError, KeyError):
            return None

    def put_page(self, key: str, article_keys: list[str], characters: int, records: list[ArticleRecord]) -> None:
        self._write("pages", key, {"articles": article_keys, "characters": characters, "summaries": [_summary(r) for r in records]})


def _summary(record: ArticleRecord) -> dict:
    """A record's fields but its triples, for JSON."""
    return {k: v for k, v in vars(record).items() if k not in ("ntriples", "turtle")}


def _write_file(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file, so a reader never sees half."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(f".{os.getpid()}.{threading.get_ident()}.tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)


def _record(data) -> ArticleRecord | None:
    """A record from its JSON form; None when it is not one of this version."""
    try:
        record = ArticleRecord(**data)
    except TypeError:
        return None
    record.entities = [tuple(e) for e in record.entities]
    record.relations = [tuple(r) for r in record.relations]
    return record


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
