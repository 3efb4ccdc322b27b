"""The spaCy pipeline: components and how they are put together from the config.

Stages, each a spaCy component with a declared contract:

``kg_sentences``    sentence starts from :mod:`kg.sentences`
``kg_entity_rules`` entity mentions from the rule families named in the config
``ner``             (optional) a trained recogniser; see :mod:`kg.train`
``kg_resolver``     canonical names, back-references (该院, 《意见》), ``doc.ents``
``kg_relations``    relations and fundings per sentence, from :mod:`kg.relations`

>>> nlp = make_nlp()
>>> doc = nlp(article_doc(nlp, "市卫生健康委投入2亿元建设急危重症三级救治网。", "洛阳市"))
>>> [(e.text, e.label_, e._.kg_label) for e in doc.ents]
[('市卫生健康委', 'GovernmentBody', '洛阳市卫生健康委员会'), ('急危重症三级救治网', 'Program', '急危重症三级救治网')]
>>> [(r.head.label, r.prop, r.tail.label) for r in doc._.relations]
[('洛阳市卫生健康委员会', 'funds', '急危重症三级救治网'), ('洛阳市卫生健康委员会', 'runs', '急危重症三级救治网'), ('洛阳市卫生健康委员会', 'locatedIn', '洛阳市')]
"""

from __future__ import annotations

import re
from pathlib import Path

import spacy
from spacy.language import Language
from spacy.tokens import Doc, Span
from thinc.api import Config

from kg import gazetteer, resolve
from kg.relations import Relation, extract
from kg.rules import Context, Mention, family
from kg.sentences import sentence_spans

DEFAULT_CONFIG = Path(__file__).with_name("default.cfg")

for _name, _default in (("article", None), ("mentions", None), ("relations", None), ("fundings", None)):
    if not Doc.has_extension(_name):
        Doc.set_extension(_name, default=_default)
if not Span.has_extension("kg_label"):
    Span.set_extension("kg_label", default=None)


def load_config(path: Path | str | None = None, overrides: dict | None = None) -> Config:
    """The pipeline config: ``kg/default.cfg`` unless another file is given."""
    return Config().from_disk(path or DEFAULT_CONFIG, overrides=overrides or {})


def make_nlp(config: Config | None = None) -> Language:
    """A spaCy pipeline built from the config's ``[nlp]`` and ``[components]`` sections."""
    config = config or load_config()
    spacy_config = Config({"nlp": config["nlp"], "components": config["components"]})
    nlp = spacy.util.load_model_from_config(spacy_config, auto_fill=True, validate=True)
    ner_path = config["kg"].get("ner_model")
    if ner_path and "ner" in nlp.pipe_names:
        nlp.get_pipe("ner").from_disk(Path(ner_path) if Path(ner_path).is_absolute() else Path(__file__).parent / ner_path)
    return nlp


def article_doc(nlp: Language, text: str, region: str | None = None, article_id: str = "") -> Doc:
    """A Doc for one article's text, with the article's region attached for resolution."""
    doc = nlp.make_doc(text)
    found = gazetteer.load().lookup(region) if region else []
    doc._.article = {"id": article_id, "region": found[0] if found else None}
    return doc


@Language.factory("kg_sentences", assigns=["token.is_sent_start"])
def make_sentences(nlp: Language, name: str) -> "SentenceSplitter":
    return SentenceSplitter()


class SentenceSplitter:
    """Sentence starts after 。！？ and line breaks (see :mod:`kg.sentences`)."""

    def __call__(self, doc: Doc) -> Doc:
        starts = {s for s, _ in sentence_spans(doc.text)}
        for token in doc:
            token.is_sent_start = token.idx in starts or token.i == 0
        return doc


@Language.factory(
    "kg_entity_rules",
    assigns=["doc._.mentions"],
    default_config={"families": ["kg.rules.regions.v1"], "min_score": 0.6},
)
def make_entity_rules(nlp: Language, name: str, families: list[str], min_score: float) -> "EntityRules":
    return EntityRules([family(f) for f in families], min_score)


class EntityRules:
    """Run the rule families over the article; keep the longest of overlapping mentions."""

    def __init__(self, families: list, min_score: float):
        self.families = families
        self.min_score = min_score

    def __call__(self, doc: Doc) -> Doc:
        article = doc._.article or {}
        context = Context(region=article.get("region"))
        found: list[Mention] = []
        for find in self.families:
            found.extend(m for m in find(doc.text, context) if m.score >= self.min_score)
        doc._.mentions = longest_first(found)
        return doc


def longest_first(mentions: list[Mention]) -> list[Mention]:
    """Non-overlapping mentions, preferring the longer, then the higher-scored."""
    kept: list[Mention] = []
    taken: set[int] = set()
    for m in sorted(mentions, key=lambda m: (-m.length, -m.score, m.start)):
        span = set(range(m.start, m.end))
        if taken.isdisjoint(span):
            kept.append(m)
            taken |= span
    return sorted(kept, key=lambda m: m.start)


@Language.factory("kg_resolver", requires=["doc._.mentions"], assigns=["doc.ents", "doc._.mentions"])
def make_resolver(nlp: Language, name: str) -> "Resolver":
    return Resolver()


# Back-references to a body named earlier: 该院, 我院, 该中心, 《意见》.
_BACK = re.compile(r"该院|我院|本院|该中心|该委")
_BACK_CLASSES = {
    "院": ("Hospital", "PrimaryCareFacility", "AcademicInstitution"),
    "中心": ("CareFacility", "PublicHealthAgency", "PrimaryCareFacility", "Hospital"),
    "委": ("GovernmentBody",),
}


class Resolver:
    """Give every mention its canonical label; drop the ones that stay vague; add
    back-references; write ``doc.ents``."""

    def __call__(self, doc: Doc) -> Doc:
        article = resolve.Article((doc._.article or {}).get("region"))
        resolved: list[Mention] = []
        for m in doc._.mentions or []:
            if m.extra.get("back_reference"):
                target = next((r for r in reversed(resolved) if r.cls == "Policy" and r.label.endswith(m.extra["back_reference"] + "》")), None)
                if target is None:
                    continue
                m.label = target.label
            else:
                label = resolve.canonical(m, doc.text[m.start : m.end], article)
                if not label:
                    continue
                m.label = label
            resolved.append(m)
            article.named.append(m)
        resolved = _add_back_references(doc.text, resolved)
        _harmonise_classes(resolved)
        doc._.mentions = resolved
        spans = []
        for m in resolved:
            span = doc.char_span(m.start, m.end, label=m.cls)
            if span is not None:
                span._.kg_label = m.label
                spans.append(span)
        doc.ents = spans
        return doc


def _add_back_references(text: str, mentions: list[Mention]) -> list[Mention]:
    taken = {i for m in mentions for i in range(m.start, m.end)}
    added = []
    for match in _BACK.finditer(text):
        if match.start() in taken:
            continue
        key = "中心" if match.group().endswith("中心") else match.group()[-1]
        classes = _BACK_CLASSES[key]
        target = next((m for m in reversed(mentions) if m.end <= match.start() and m.cls in classes), None)
        if target is not None:
            added.append(Mention(match.start(), match.end(), target.cls, "coref", label=target.label, score=0.6))
    return sorted(mentions + added, key=lambda m: m.start)


def _harmonise_classes(mentions: list[Mention]) -> None:
    """One label, one class within an article: the class of its best-scored mention."""
    best: dict[str, Mention] = {}
    for m in mentions:
        if m.label not in best or m.score > best[m.label].score:
            best[m.label] = m
    for m in mentions:
        m.cls = best[m.label].cls


@Language.factory(
    "kg_relations",
    requires=["doc._.mentions", "token.is_sent_start"],
    assigns=["doc._.relations", "doc._.fundings"],
    default_config={"min_confidence": 0.5, "located_in_from_names": True},
)
def make_relations(nlp: Language, name: str, min_confidence: float, located_in_from_names: bool) -> "Relations":
    return Relations(min_confidence, located_in_from_names)


class Relations:
    """Relations and fundings sentence by sentence; ``locatedIn`` from names like 嵩县人民医院."""

    def __init__(self, min_confidence: float, located_in_from_names: bool):
        self.min_confidence = min_confidence
        self.located_in_from_names = located_in_from_names

    def __call__(self, doc: Doc) -> Doc:
        mentions = doc._.mentions or []
        relations: list[Relation] = []
        fundings = []
        for sent in doc.sents:
            found, money = extract(doc.text, mentions, sent.start_char, sent.end_char)
            relations += [r for r in found if r.confidence >= self.min_confidence]
            fundings += money
        if self.located_in_from_names:
            relations += _located_in(mentions)
        doc._.relations = relations
        doc._.fundings = fundings
        return doc


def _located_in(mentions: list[Mention]) -> list[Relation]:
    """嵩县人民医院 is in 嵩县: a body named after a county or city is located there."""
    result = []
    seen = set()
    for m in mentions:
        anchor = m.anchor
        if m.family != "organizations" or m.extra.get("party") or m.label in seen:
            continue
        region = anchor if isinstance(anchor, gazetteer.Region) else None
        if region is None and isinstance(anchor, str) and m.extra.get("prefix"):
            found = gazetteer.load().lookup(m.extra["prefix"])
            region = found[0] if len(found) == 1 else None
        if region is None or not m.label.startswith(region.name):
            continue
        seen.add(m.label)
        place = Mention(m.start, m.start + len(region.name), region.level, "regions", label=region.name, region=region)
        result.append(Relation(m, "locatedIn", place, confidence=0.9, trigger="name"))
    return result
