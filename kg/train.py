"""``kg train``: a statistical recogniser trained on the gold annotations.

The model is spaCy's transition-based NER over characters (the same tokens the rules
see), small enough to run on a laptop CPU. Training data is the gold mention spans,
plus copies of each article with its place names swapped for other places of the same
level from the gazetteer (洛阳市 → 宝鸡市, 嵩县 → 临泉县), so the model learns how names
are built rather than which cities the seed pages cover.

Evaluation is by page: ``train_folds`` trains one model per seed page, each on the other
pages, so every article is scored by a model that never saw it; ``train`` makes the
model ``kg build`` ships, from all pages. Seeds are fixed, so runs repeat.
"""

from __future__ import annotations

import logging
import random
import time
from pathlib import Path
from typing import Iterable

import spacy
from spacy.language import Language
from spacy.training import Example
from spacy.util import fix_random_seed, minibatch

from kg import gazetteer, gold, relmodel
from kg.sentences import sentence_spans

log = logging.getLogger("kg")

MODELS = Path(__file__).parent / "models"
def blank() -> Language:
    """The configured pipeline up to the rule tags, and an untrained recogniser with the
    architecture of ``kg_gated_ner`` in ``kg/default.cfg`` (trained on every sentence;
    the gate applies when it runs in a build)."""
    from kg.nlp import load_config, make_nlp

    config = load_config()
    pipeline = config["nlp"]["pipeline"]
    model = config["components"]["kg_gated_ner"]["model"]
    config["nlp"]["pipeline"] = pipeline[: pipeline.index("kg_gated_ner")]
    nlp = make_nlp(config, weights=False)
    nlp.add_pipe("ner", config={"model": model})
    return nlp


def page_of(record: dict) -> str:
    return record["article"].split("/")[0]


def examples(nlp: Language, records: Iterable[dict], swaps: int = 1, seed: int = 0, classes: set[str] | None = None) -> list[Example]:
    """Training examples from gold records (entities of ``classes`` only, all if None),
    each followed by ``swaps`` copies with its place names replaced."""
    rng = random.Random(seed)
    result = []
    for record in records:
        result += _examples(nlp, record, classes)
        for _ in range(swaps):
            result += _examples(nlp, swap_places(record, rng), classes)
    return result


def _examples(nlp: Language, record: dict, classes: set[str] | None = None) -> list[Example]:
    """One example per sentence (short sequences train far better than whole articles),
    each already run through the rules so its characters carry the rule tags."""
    from kg.nlp import article_doc, sentence_doc

    spans = list(gold.mention_spans(record))
    tagged = article_doc(nlp, record["text"], record.get("region"))
    for name, proc in nlp.pipeline:
        if name == "ner":
            break
        tagged = proc(tagged)
    result = []
    for start, end in sentence_spans(record["text"]):
        doc = sentence_doc(tagged.char_span(start, end))
        entities = [(s - start, e - start, cls) for s, e, _, cls in spans if start <= s and e <= end and (classes is None or cls in classes)]
        entities = [(s, e, c) for s, e, c in entities if doc.char_span(s, e) is not None]
        result.append(Example.from_dict(doc, {"entities": entities}))
    return result


def swap_places(record: dict, rng: random.Random) -> dict:
    """The record with every gazetteer place name replaced by another place of the same
    level, consistently across the text and the mentions.

    >>> r = {"article": "a", "text": "洛阳市卫生健康委在嵩县", "entities": [{"label": "洛阳市卫生健康委员会", "class": "GovernmentBody", "mentions": ["洛阳市卫生健康委"]}]}
    >>> new = swap_places(r, random.Random(1))
    >>> new["text"] != r["text"] and new["entities"][0]["mentions"][0] in new["text"]
    True
    """
    gaz = gazetteer.load()
    by_level: dict[str, list] = {}
    for region in gaz.by_code.values():
        by_level.setdefault(region.level, []).append(region)
    mapping: dict[str, str] = {}

    def replace(text: str) -> str:
        out, position = [], 0
        for start, end, name in gaz.find(text):
            regions = gaz.lookup(name)
            if not regions:
                continue
            if name not in mapping:
                original = regions[0]
                other = rng.choice(by_level[original.level])
                short = name != original.name
                mapping[name] = _short(other) if short and _short(other) else other.name
            out += [text[position:start], mapping[name]]
            position = end
        return "".join(out + [text[position:]])

    text = replace(record["text"])
    entities = [
        {**e, "label": replace(e["label"]), "mentions": [replace(m) for m in e.get("mentions", [])]}
        for e in record["entities"]
    ]
    return {**record, "text": text, "entities": entities}


def _short(region) -> str:
    for suffix in ("市", "县", "省", "地区"):
        if region.name.endswith(suffix) and len(region.name) > len(suffix) + 1:
            return region.name[: -len(suffix)]
    return ""


def fit(train: list[dict], epochs: int = 10, seed: int = 0, swaps: int = 1) -> Language:
    """Train a recogniser on ``train`` records."""
    from kg.nlp import load_config

    fix_random_seed(seed)
    nlp = blank()
    data = examples(nlp, train, swaps=swaps, seed=seed, classes=set(load_config()["components"]["kg_merge"]["model_classes"]))
    optimizer = nlp.initialize(lambda: data)
    rng = random.Random(seed)
    started = time.perf_counter()
    for epoch in range(epochs):
        rng.shuffle(data)
        losses: dict = {}
        for batch in minibatch(data, size=16):
            nlp.update(batch, sgd=optimizer, losses=losses, drop=0.2)
        log.info("epoch %d loss %.0f (%.0f s)", epoch + 1, losses.get("ner", 0), time.perf_counter() - started)
    return nlp


def relation_data(nlp: Language, records: list[dict]) -> list[tuple[list[str], str]]:
    """Features and gold labels of every candidate pair, with mentions and rule
    relations from the pipeline ``nlp`` (recogniser included)."""
    from kg.nlp import article_doc

    data = []
    for record in records:
        found = gazetteer.load().lookup(record["region"]) if record.get("region") else []
        doc = nlp(article_doc(nlp, record["text"], found[0].name if found else None))
        expected = {(r["head"], r["tail"]): r["property"] for r in record["relations"]}
        for s, e in sentence_spans(doc.text):
            rules = [r for r in doc._.relations if r.tail is not None and s <= r.head.start < e and r.trigger not in ("name", "model")]
            said = {(id(r.head), id(r.tail)): r.prop for r in rules}
            inside = [m for m in doc._.mentions if s <= m.start and m.end <= e]
            for head, tail in relmodel.candidates(doc.text, doc._.mentions, s, e):
                features = relmodel.features(doc.text, head, tail, s, e, said.get((id(head), id(tail))), inside)
                data.append((features, expected.get((head.label, tail.label), relmodel.NONE)))
    return data


def fit_relations(nlp: Language, records: list[dict], epochs: int = 10) -> relmodel.RelationModel:
    model = relmodel.RelationModel()
    model.train(relation_data(nlp, records), epochs=epochs)
    return model


def _with_relations(nlp: Language) -> Language:
    """The recogniser's pipeline completed with merging and (rule-only) relations."""
    from kg.nlp import load_config

    config = load_config()
    for name in ("kg_merge", "kg_relations"):
        nlp.add_pipe(config["components"][name]["factory"], name=name, config={k: v for k, v in config["components"][name].items() if k != "factory"})
    return nlp


def train_models(records: list[dict], out: Path, epochs: int = 10) -> Path:
    """Train a recogniser and a relation model on ``records`` into ``out``."""
    nlp = _with_relations(fit(records, epochs=epochs))
    out.mkdir(parents=True, exist_ok=True)
    nlp.get_pipe("ner").to_disk(out / "ner")
    fit_relations(nlp, records).to_disk(out / "relations.json")
    return out


def train_all(records: list[dict], out: Path = MODELS, epochs: int = 10, folds: bool = True) -> list[Path]:
    """The shipped models (from every page) and, with ``folds``, one pair per page trained
    without it, for held-out evaluation."""
    made = []
    if folds:
        for page in sorted({page_of(r) for r in records}):
            log.info("fold without page %s", page)
            made.append(train_models([r for r in records if page_of(r) != page], out / "folds" / page, epochs))
    log.info("final models from all %d articles", len(records))
    made.append(train_models(records, out, epochs))
    return made
