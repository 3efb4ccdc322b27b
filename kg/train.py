"""``kg train``: the recogniser and the relation model, trained on the gold annotations.

Training data is every annotated article: the seed gold (``tests/gold/seeds``) and the
written corpus (``corpus/``, see its README), each article cleaned and split as
``kg build`` does, run through the rules and the analyser so that its characters carry
the features the recogniser reads at build time (:mod:`kg.recogniser`).

Besides the shipped models (``kg/models``), ``train_all`` makes held-out ones
(``kg/models/folds``): one per seed page, trained without that page, so ``kg eval`` scores
every seed article with models that never saw it, and one without a fifth of the corpus
documents (every fifth, by name), for the corpus's own held-out figure. Settings are
fixed, so runs repeat; the model sets train two at a time, one per core.
"""

from __future__ import annotations

import copy
import logging
import multiprocessing
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from spacy.language import Language

from kg import gold, relmodel
from kg.recogniser import bio_tags
from kg.rules import Mention
from kg.sentences import sentence_spans

log = logging.getLogger("kg")

MODELS = Path(__file__).parent / "models"
SEED_GOLD = Path(__file__).parent.parent / "tests" / "gold" / "seeds"
CORPUS = Path(__file__).parent.parent / "corpus"
#: Every n-th corpus document (by name) is held out of the corpus fold.
CORPUS_HOLDOUT = 5
#: How many times the seed articles count: the only real text among the training data
#: (the written corpus is eleven times larger); on a held-out seed page and on real
#: articles from other provinces, five gave the recogniser 0.01-0.03 more F1 than one.
SEED_WEIGHT = 5


@dataclass
class Prepared:
    """One gold article run through the pipeline up to the recogniser."""

    source: str  # the record's article id: a seed page's article or a corpus document
    gold: gold.GoldArticle
    doc: object
    sentences: list[tuple[int, int, list[list[str]], list[str]]]
    rules: list  # the rules' mentions, which the recogniser's run replaces on the Doc


def page_of(record: dict) -> str:
    """The unit a fold leaves out: a seed page, or a corpus document."""
    return record["article"].split("/")[0]


def load_records(seed_gold: Path | None = SEED_GOLD, corpus: Path | None = CORPUS) -> list[dict]:
    """Every gold record: seed articles (with ``region``) and corpus documents."""
    records = gold.load_dir(seed_gold) if seed_gold and seed_gold.exists() else []
    if corpus and (corpus / "gold").is_dir():
        records += gold.load_calibration(corpus)
    return records


def feature_pipeline() -> Language:
    """The configured pipeline up to the analyser: what the recogniser reads."""
    from kg.nlp import load_config, make_nlp

    config = load_config()
    pipeline = config["nlp"]["pipeline"]
    config["nlp"]["pipeline"] = pipeline[: pipeline.index("kg_recogniser")]
    return make_nlp(config, weights=False)


def prepare(nlp: Language, records: list[dict]) -> list[Prepared]:
    """Every article of ``records`` with its features and gold labels, sentence by sentence."""
    from kg.nlp import article_doc, sentence_features

    items = [(page_of(r), a) for r in records for a in gold.gold_articles(r)]
    docs = (article_doc(nlp, a.text, a.region.name if a.region else None, a.id) for _, a in items)
    out = []
    started = time.perf_counter()
    for (source, article), doc in zip(items, nlp.pipe(docs, batch_size=32)):
        labels = bio_tags(len(article.text), [(s, e, cls) for s, e, _, cls in article.spans])
        sentences = [(s, e, xseq, labels[s:e]) for s, e, xseq in sentence_features(doc)]
        out.append(Prepared(source, article, doc, sentences, list(doc._.mentions or [])))
    log.info("features of %d articles in %.0f s", len(out), time.perf_counter() - started)
    return out


def train_recogniser(prepared: list[Prepared], path: Path) -> Path:
    from kg import recogniser

    started = time.perf_counter()
    recogniser.train(((x, y) for p in prepared for _, _, x, y in p.sentences if x), path)
    log.info("recogniser trained on %d articles in %.0f s", len(prepared), time.perf_counter() - started)
    return path


def relation_data(nlp: Language, prepared: list[Prepared]) -> tuple[list[tuple[list[str], str]], list[tuple[list[str], str]]]:
    """Examples for the relation model (every candidate pair, with its gold property or
    NONE) and for the author model (every candidate author), from the mentions the
    trained recogniser finds, so the models learn from what they will see in a build.
    Gold labels are matched leniently, as ``kg eval`` matches them."""
    from kg import author
    from kg.evaluate import labels_match

    def same(a: str, b: str) -> bool:
        return labels_match(a, b, lenient=True)

    pairs, authors = [], []
    recognise, relations = nlp.get_pipe("kg_recogniser"), nlp.get_pipe("kg_relations")
    for item in prepared:
        item.doc._.mentions = [copy.copy(m) for m in item.rules]
        doc = recognise(item.doc)
        text, mentions = item.gold.text, doc._.mentions or []
        authors += author.training_data(text, mentions, item.gold.region, item.gold.author, same)
        writer = _writer(item.gold.author, mentions, same)
        author.resolve_first_person(text, mentions, writer)
        words = relmodel.words_of(doc._.analysis)
        for s, e in sentence_spans(text):
            stated = [r for r in item.gold.relations if r["sentence"] and r["sentence"][0] < e and s < r["sentence"][1]]
            found, _ = relations.rule_relations(doc, s, e)
            said = {(id(r.head), id(r.tail)): r.prop for r in found if r.tail is not None}
            inside = [m for m in mentions if s <= m.start and m.end <= e]
            sentence_words = relmodel.in_sentence(words, s, e)
            for pair in relmodel.candidates(mentions, doc._.targets or [], s, e, writer):
                tail = pair.tail.label if pair.tail is not None else text[pair.literal[0] : pair.literal[1]]
                label = next((r["property"] for r in stated if same(pair.head.label, r["head"]) and same(tail, r["tail"]) and bool(r.get("tail_literal")) == (pair.tail is None)), relmodel.NONE)
                pairs.append((relmodel.features(text, sentence_words, pair, s, e, said.get((id(pair.head), id(pair.tail))), inside), label))
    return pairs, authors


def _writer(label: str | None, mentions: list[Mention], same) -> Mention | None:
    """A mention of the gold author (made for a region that no mention names alone)."""
    from kg import gazetteer

    if not label:
        return None
    found = next((m for m in mentions if same(m.label, label)), None)
    if found is None:
        regions = gazetteer.load().lookup(label)
        if len(regions) == 1:
            found = Mention(0, 0, regions[0].level, "regions", label=regions[0].name, region=regions[0])
    return found


def train_models(nlp: Language, prepared: list[Prepared], out: Path) -> Path:
    """A recogniser and a relation model trained on ``prepared`` articles, into ``out``
    (seed articles counted :data:`SEED_WEIGHT` times)."""
    out.mkdir(parents=True, exist_ok=True)
    prepared = [p for p in prepared for _ in range(SEED_WEIGHT if p.gold.genre == "" else 1)]
    train_recogniser(prepared, out / "recogniser.crfsuite")
    nlp.get_pipe("kg_recogniser").load(out / "recogniser.crfsuite")
    started = time.perf_counter()
    pairs, authors = relation_data(nlp, prepared)
    for data, name in ((pairs, "relations.json"), (authors, "author.json")):
        model = relmodel.RelationModel()
        model.train(data, epochs=10)
        model.to_disk(out / name)
    log.info("relation and author models trained on %d pairs, %d candidate authors in %.0f s", len(pairs), len(authors), time.perf_counter() - started)
    return out


def train_all(records: list[dict], out: Path = MODELS, folds: bool = True, processes: int = 2) -> list[Path]:
    """The shipped models (from every article) and, with ``folds``, the held-out ones: one
    per seed page and one without every fifth corpus document. The features are made
    once; the model sets are trained ``processes`` at a time (forked, sharing them)."""
    global _JOBS
    from kg.nlp import make_nlp

    prepared = prepare(feature_pipeline(), records)
    jobs: dict[Path, list[Prepared]] = {}
    if folds:
        for page in sorted(_seed_pages(records)):
            jobs[out / "folds" / page] = [p for p in prepared if p.source != page]
        held = set(corpus_holdout(records))
        if held:
            jobs[out / "folds" / "corpus"] = [p for p in prepared if p.source not in held]
    jobs[out] = prepared
    _JOBS = (make_nlp(weights=False), jobs)
    if processes <= 1 or len(jobs) == 1:
        return [_train_job(path) for path in jobs]
    with ProcessPoolExecutor(max_workers=processes, mp_context=multiprocessing.get_context("fork")) as pool:
        return list(pool.map(_train_job, jobs))


_JOBS: tuple | None = None  # (pipeline, {output folder: articles}), for the forked trainers


def _train_job(path: Path) -> Path:
    nlp, jobs = _JOBS
    log.info("training %s on %d articles", path, len(jobs[path]))
    return train_models(nlp, jobs[path], path)


def _seed_pages(records: list[dict]) -> set[str]:
    return {page_of(r) for r in records if "region" in r}


def corpus_holdout(records: list[dict]) -> list[str]:
    """The corpus documents the corpus fold leaves out: every fifth, by name."""
    names = sorted(r["article"] for r in records if "region" not in r)
    return names[::CORPUS_HOLDOUT]
