"""Run the NLP pipeline over articles and collect what it found, per article.

:func:`extract` streams articles through ``nlp.pipe`` in batches and yields one
:class:`Extraction` per article; :func:`to_record` turns one into the gold format,
so the scorer can compare it with annotations.
"""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Iterable, Iterator

import spacy
from spacy.language import Language

from kg.articles import Article
from kg.nlp import article_doc, text_of
from kg.relations import Funding, Relation
from kg.rules import Mention
from kg.sentences import sentence_spans


@dataclass
class Extraction:
    """Everything found in one article, with its cleaned text for provenance."""

    article: Article
    text: str
    mentions: list[Mention]
    relations: list[Relation]
    fundings: list[Funding]
    sentences: list[tuple[int, int]] = field(default_factory=list)

    def sentence_of(self, position: int) -> tuple[int, int]:
        """``(start, end)`` of the sentence holding ``position``."""
        for start, end in self.sentences:
            if start <= position < end:
                return start, end
        return position, position


#: Which timing stage each component counts towards.
STAGES = {"kg_relations": "relations"}


def extract(nlp: Language, articles: Iterable[Article], batch_size: int = 32, timings: dict[str, float] | None = None) -> Iterator[Extraction]:
    """One :class:`Extraction` per article, in order, streaming in batches. When
    ``timings`` is given, seconds spent are added to it by stage ("nlp", "relations").

    The pretrained analyser's encoder reads the next batch on a thread of its own while
    the pipeline works on this one: ONNX Runtime releases the GIL, so on two cores most
    of the analyser's time hides behind the rest. (Only the encoder runs there: Python
    work on that thread would wait for the GIL at every step.)"""
    analyser = nlp.get_pipe("kg_analyser").analyser if "kg_analyser" in nlp.pipe_names else None
    batches = iter(spacy.util.minibatch(articles, size=batch_size))
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="kg-analyser") as pool:

        def ahead(batch):
            """Start encoding a batch on the thread; decoding waits for it (below)."""
            if analyser is None or not batch:
                return None
            prepared = analyser.prepare([a.text for a in batch])
            return prepared, pool.submit(analyser.encode, prepared)

        batch = next(batches, None)
        analysed = ahead(batch)
        while batch is not None:
            following = next(batches, None)
            analysed_next = ahead(following)
            docs = []
            analyses = analyser.decode(analysed[0], analysed[1].result()) if analysed else [None] * len(batch)
            for article, analysis in zip(batch, analyses):
                doc = article_doc(nlp, article.text, article.region.name if article.region else None, article.id)
                doc._.article["source"] = article
                doc._.analysis = analysis
                docs.append(doc)
            done = nlp.pipe(docs, batch_size=batch_size) if timings is None else _run_batch(nlp, docs, timings)
            for doc in done:
                yield Extraction(
                    article=doc._.article["source"],
                    text=text_of(doc),
                    mentions=list(doc._.mentions or []),
                    relations=list(doc._.relations or []),
                    fundings=list(doc._.fundings or []),
                    sentences=sentence_spans(text_of(doc)),
                )
            batch, analysed = following, analysed_next


def _run_batch(nlp: Language, batch: list, timings: dict[str, float]) -> list:
    for name, proc in nlp.pipeline:
        started = time.perf_counter()
        batch = list(proc.pipe(batch)) if hasattr(proc, "pipe") else [proc(doc) for doc in batch]
        stage = STAGES.get(name, "nlp")
        timings[stage] = timings.get(stage, 0.0) + time.perf_counter() - started
    return batch


def to_record(extraction: Extraction, include_derived: bool = False) -> dict:
    """The extraction in the gold format (see :mod:`kg.gold`)."""
    entities: dict[tuple[str, str], dict] = {}
    for m in extraction.mentions:
        entry = entities.setdefault((m.label, m.cls), {"label": m.label, "class": m.cls, "mentions": []})
        surface = extraction.text[m.start : m.end]
        if surface not in entry["mentions"]:
            entry["mentions"].append(surface)
        if m.cls == "Person" and m.extra.get("post"):
            entry.setdefault("position", m.extra["post"])
    relations = []
    for r in extraction.relations:
        if r.trigger == "name" and not include_derived:
            continue
        start, end = extraction.sentence_of(r.position)
        relations.append(
            {"head": r.head.label, "property": r.prop, "tail": r.tail.label if r.tail else r.literal, "evidence": extraction.text[start:end]}
        )
    fundings = [
        {
            "funder": f.funder.label if f.funder else None,
            "amount_yuan": float(f.amount.yuan),
            "text": f.amount.text,
            "purpose": f.purpose,
            "year": f.year,
        }
        for f in extraction.fundings
    ]
    return {"article": extraction.article.id, "entities": list(entities.values()), "relations": relations, "fundings": fundings}
