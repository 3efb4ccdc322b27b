"""The spaCy pipeline: components and how they are put together from the config.

Stages, each a spaCy component with a declared contract:

``kg_sentences``    sentence starts from :mod:`kg.sentences`
``kg_entity_rules`` entity mentions from the rule families named in the config
``kg_resolver``     canonical names, back-references (该院, 《意见》), ``doc.ents``
``kg_analyser``     the pretrained analyser's words and tags (:mod:`kg.analyser`)
``kg_recogniser``   the trained recogniser decides the entities (:mod:`kg.recogniser`)
``kg_author``       the document's author, the implied agent (:mod:`kg.author`)
``kg_relations``    relations and fundings per sentence: the trigger rules
                    (:mod:`kg.relations`) and the trained relation model (:mod:`kg.relmodel`)

The rules alone (``kg build --rules``), on one sentence of an article about 洛阳市:

>>> nlp = make_nlp(load_config(rules_only=True))
>>> doc = nlp(article_doc(nlp, "市卫生健康委投入2亿元建设急危重症三级救治网。", "洛阳市"))
>>> [(e.text, e.label_, e._.kg_label) for e in doc.ents]
[('市卫生健康委', 'GovernmentBody', '洛阳市卫生健康委员会'), ('急危重症三级救治网', 'Program', '急危重症三级救治网')]
>>> sorted((r.head.label, r.prop, r.tail.label) for r in doc._.relations)
[('洛阳市卫生健康委员会', 'funds', '急危重症三级救治网'), ('洛阳市卫生健康委员会', 'locatedIn', '洛阳市'), ('洛阳市卫生健康委员会', 'runs', '急危重症三级救治网')]
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Callable

import numpy
import spacy
from spacy.attrs import IDX, SENT_START
from spacy.language import Language
from spacy.tokens import Doc, Span
from thinc.api import Config

from kg import gazetteer, relmodel, resolve
from kg.relations import Relation, extract, unique
from kg.relmodel import RelationModel
from kg.rules import Context, Mention, family
from kg.sentences import sentence_spans

DEFAULT_CONFIG = Path(__file__).with_name("default.cfg")

for _name, _default in (("article", None), ("mentions", None), ("relations", None), ("fundings", None), ("text", None), ("analysis", None), ("targets", None), ("author", None)):
    if not Doc.has_extension(_name):
        Doc.set_extension(_name, default=_default)
if not Span.has_extension("kg_label"):
    Span.set_extension("kg_label", default=None)


TRAINED_COMPONENTS = ("kg_analyser", "kg_recogniser", "kg_author")


def load_config(path: Path | str | None = None, overrides: dict | None = None, rules_only: bool = False) -> Config:
    """The pipeline config: ``kg/default.cfg`` unless another file is given;
    ``rules_only`` switches the trained components off."""
    config = Config().from_disk(path or DEFAULT_CONFIG, overrides=overrides or {})
    if rules_only:
        config["kg"]["trained"] = False
    if not config["kg"].get("trained", False):
        config["nlp"]["pipeline"] = [p for p in config["nlp"]["pipeline"] if p not in TRAINED_COMPONENTS]
        for name in TRAINED_COMPONENTS:
            config["components"].pop(name, None)
    return config


def package_path(path: str | Path) -> Path:
    """A path from the config, relative to the package folder unless absolute."""
    return Path(path) if Path(path).is_absolute() else Path(__file__).parent / path


def make_nlp(config: Config | None = None, recogniser: Path | None = None, relation_model: Path | None = None, weights: bool = True) -> Language:
    """A spaCy pipeline built from the config's ``[nlp]`` and ``[components]`` sections,
    with the trained models loaded (``recogniser`` and ``relation_model`` override the
    config's; ``weights=False`` leaves them out, for training)."""
    config = config or load_config()
    spacy_config = Config({"nlp": config["nlp"], "components": config["components"]})
    nlp = spacy.util.load_model_from_config(spacy_config, auto_fill=True, validate=True)
    if "kg_recogniser" in nlp.pipe_names and weights:
        nlp.get_pipe("kg_recogniser").load(recogniser)
        model = relation_model or package_path(config["kg"]["relation_model"])
        if model.exists():
            nlp.get_pipe("kg_relations").use_model(RelationModel.from_disk(model))
        if "kg_author" in nlp.pipe_names:
            nlp.get_pipe("kg_author").load(model.with_name("author.json"))
    return nlp


def text_of(doc: Doc) -> str:
    """The Doc's text, kept from when it was made: spaCy's ``doc.text`` joins every
    token again on each access, which dominated the pipeline's time."""
    return doc._.text if doc._.text is not None else doc.text


def article_doc(nlp: Language, text: str, region: str | None = None, article_id: str = "") -> Doc:
    """A Doc for one article's text, with the article's region attached for resolution."""
    doc = nlp.make_doc(text)
    doc._.text = text
    found = gazetteer.load().lookup(region) if region else []
    doc._.article = {"id": article_id, "region": found[0] if found else None}
    return doc


@spacy.registry.tokenizers("kg.chars.v1")
def make_char_tokenizer() -> Callable[[Language], "CharTokenizer"]:
    return lambda nlp: CharTokenizer(nlp.vocab)


class CharTokenizer:
    """One token per character, as spaCy's Chinese tokenizer makes in ``char`` mode (a
    space after a character is that token's trailing space; other runs of whitespace are
    tokens of their own), in linear time: spaCy's own aligns each character by slicing the
    rest of the text, which is quadratic in an article's length.

    >>> nlp = spacy.blank("zh")
    >>> [(t.text, t.whitespace_) for t in CharTokenizer(nlp.vocab)("洛阳 市\\n\\n医院")]
    [('洛', ''), ('阳', ' '), ('市', ''), ('\\n\\n', ''), ('医', ''), ('院', '')]
    """

    def __init__(self, vocab):
        self.vocab = vocab

    def __call__(self, text: str) -> Doc:
        if not _SPACE.search(text):
            return Doc(self.vocab, words=list(text), spaces=[False] * len(text))
        tokens = _CHAR_TOKENS.findall(text)
        spaced = [len(t) == 2 and t[1] == " " and not t[0].isspace() for t in tokens]
        return Doc(self.vocab, words=[t[0] if s else t for t, s in zip(tokens, spaced)], spaces=spaced)

    def to_disk(self, path, **kwargs) -> None:  # nothing to save: no settings, no model
        pass

    def from_disk(self, path, **kwargs) -> "CharTokenizer":
        return self

    def to_bytes(self, **kwargs) -> bytes:
        return b""

    def from_bytes(self, data: bytes, **kwargs) -> "CharTokenizer":
        return self


_SPACE = re.compile(r"\s")
_CHAR_TOKENS = re.compile(r"\S |\S|\s+")


@Language.factory("kg_sentences", assigns=["token.is_sent_start"])
def make_sentences(nlp: Language, name: str) -> "SentenceSplitter":
    return SentenceSplitter()


class SentenceSplitter:
    """Sentence starts after 。！？ and line breaks (see :mod:`kg.sentences`)."""

    def __call__(self, doc: Doc) -> Doc:
        # One array write: setting token.is_sent_start token by token is quadratic in spaCy.
        if len(doc):
            starts = numpy.array([s for s, _ in sentence_spans(text_of(doc))], dtype="uint64")
            values = numpy.where(numpy.isin(doc.to_array(IDX), starts), 1, -1)
            values[0] = 1
            doc.from_array([SENT_START], values.astype("int64").view("uint64").reshape(-1, 1))
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
        text = text_of(doc)
        for find in self.families:
            found.extend(m for m in find(text, context) if m.score >= self.min_score)
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
        text = text_of(doc)
        resolved: list[Mention] = []
        for m in doc._.mentions or []:
            if m.extra.get("back_reference"):
                target = next((r for r in reversed(resolved) if r.cls == "Policy" and r.label.endswith(m.extra["back_reference"] + "》")), None)
                if target is None:
                    continue
                m.label = target.label
            else:
                label = resolve.canonical(m, text[m.start : m.end], article)
                if not label:
                    continue
                m.label = label
            resolved.append(m)
            article.named.append(m)
        set_mentions(doc, _add_back_references(text, resolved))
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


def set_mentions(doc: Doc, mentions: list[Mention]) -> None:
    """Store the final mentions (one class per label) and mirror them in ``doc.ents``."""
    _harmonise_classes(mentions)
    doc._.mentions = mentions
    spans = []
    for m in mentions:
        span = doc.char_span(m.start, m.end, label=m.cls)
        if span is not None:
            span._.kg_label = m.label
            spans.append(span)
    doc.ents = spacy.util.filter_spans(spans)


def _harmonise_classes(mentions: list[Mention]) -> None:
    """One label, one class within an article: the class of its best-scored mention."""
    best: dict[str, Mention] = {}
    for m in mentions:
        if m.label not in best or m.score > best[m.label].score:
            best[m.label] = m
    for m in mentions:
        m.cls = best[m.label].cls


@Language.factory("kg_analyser", assigns=["doc._.analysis"], default_config={"threads": 1})
def make_analyser(nlp: Language, name: str, threads: int) -> "AnalyserComponent":
    return AnalyserComponent(threads)


class AnalyserComponent:
    """The pretrained lexical analyser (:mod:`kg.analyser`) over each batch of Docs at
    once: words, parts of speech and PER/LOC/ORG/TIME, one tag per character in
    ``doc._.analysis``. Docs analysed already (see :func:`kg.extract.extract`, which
    analyses the next batch on a thread while the pipeline works on this one) pass
    through."""

    def __init__(self, threads: int):
        from kg import analyser

        self.analyser = analyser.Analyser(threads=threads) if threads != 1 else analyser.load()

    def __call__(self, doc: Doc) -> Doc:
        return next(self.pipe([doc]))

    def pipe(self, docs, batch_size: int = 32):
        for batch in spacy.util.minibatch(docs, size=batch_size):
            todo = [doc for doc in batch if doc._.analysis is None]
            for doc, analysis in zip(todo, self.analyser.analyse([text_of(doc) for doc in todo])):
                doc._.analysis = analysis
            yield from batch


@Language.factory(
    "kg_recogniser",
    requires=["doc._.mentions", "doc._.analysis"],
    assigns=["doc._.mentions", "doc.ents", "doc._.targets"],
    default_config={"model": "models/recogniser.crfsuite", "rule_classes": [], "rules_added": [], "prefer": "recogniser", "rules_win": []},
)
def make_recogniser(nlp: Language, name: str, model: str, rule_classes: list[str], rules_added: list[str], prefer: str, rules_win: list[str]) -> "RecogniserComponent":
    return RecogniserComponent(model, set(rule_classes), set(rules_added), prefer, set(rules_win))


class RecogniserComponent:
    """The trained recogniser (:mod:`kg.recogniser`) decides the entities, sentence by
    sentence; the rules' mentions lend their analysis (canonical names, a person's post)
    where a span agrees, back-references (该院, 我院) are kept, for ``rule_classes``
    (none by default) the rules decide instead, and for ``rules_added`` the rules'
    mentions the recogniser did not overlap are added to its own. Literal targets (the groups programs are
    for) go to ``doc._.targets``."""

    def __init__(self, model: str, rule_classes: set[str], rules_added: set[str] = frozenset(), prefer: str = "recogniser", rules_win: set[str] = frozenset()):
        if prefer not in ("recogniser", "rules"):
            raise ValueError(f'kg_recogniser.prefer must be "recogniser" or "rules", not {prefer!r}')
        self.model_path = package_path(model)
        self.rule_classes = rule_classes
        self.rules_added = rules_added
        self.prefer = prefer
        self.rules_win = rules_win
        self.recogniser = None

    def from_disk(self, path, exclude=()):
        return self

    def to_disk(self, path, exclude=()):
        pass

    def load(self, path: Path | None = None) -> None:
        from kg.recogniser import Recogniser

        path = path or self.model_path
        if not path.exists():
            raise FileNotFoundError(f"no trained recogniser at {path}: run `kg train`, or build with --rules")
        self.recogniser = Recogniser(path)

    def __call__(self, doc: Doc) -> Doc:
        from kg.recogniser import TARGET, bio_spans

        if self.recogniser is None:
            self.load()
        text = text_of(doc)
        found: list[tuple[int, int, str]] = []
        for start, end, xseq in sentence_features(doc):
            found += [(start + s, start + e, cls) for s, e, cls in bio_spans(self.recogniser.tag(xseq))]
        doc._.targets = [(s, e) for s, e, cls in found if cls == TARGET]
        article = resolve.Article((doc._.article or {}).get("region"))
        rules = doc._.mentions or []
        by_span = {_core(text, m.start, m.end): m for m in rules}
        recognised: list[Mention] = []
        for s, e, cls in found:
            if cls == TARGET or cls in self.rule_classes:
                continue
            rule = by_span.get(_core(text, s, e))
            if rule is not None and (rule.cls == cls or _top(rule.cls) == _top(cls) == "Region"):
                recognised.append(rule)
                continue
            label = resolve.canonical_surface(text[s:e], cls, article)
            if label:
                recognised.append(Mention(s, e, cls, "recogniser", label=label, score=0.75))
        winners = [m for m in rules if self.prefer == "rules" or m.cls in self.rules_win]
        kept = [m for m in rules if m.family == "coref" or m.cls in self.rule_classes | self.rules_added]
        merged: list[Mention] = []
        taken: set[int] = set()
        for m in [*winners, *recognised, *kept]:  # in this order, a span claimed twice keeps the first
            if taken.isdisjoint(range(m.start, m.end)):
                merged.append(m)
                taken.update(range(m.start, m.end))
        resolve.document_back_references(text, merged)
        set_mentions(doc, sorted(merged, key=lambda m: m.start))
        return doc


def _core(text: str, start: int, end: int) -> tuple[int, int]:
    """A span without the quotation marks at its edges: “二甲” and 二甲 are one name.

    >>> _core("通过“二甲”评审", 2, 6)
    (3, 5)
    """
    while start < end and text[start] in _EDGE_MARKS:
        start += 1
    while end > start and text[end - 1] in _EDGE_MARKS:
        end -= 1
    return start, end


_EDGE_MARKS = frozenset("“”‘’\"'")


def _top(cls: str) -> str:
    from kg.ontology_terms import CLASSES

    while CLASSES.get(cls):
        cls = CLASSES[cls]
    return cls


def rule_tags(doc: Doc) -> list[str]:
    """The rules' mentions as one BIO tag per character of the Doc's text."""
    from kg.recogniser import bio_tags

    return bio_tags(len(text_of(doc)), [(m.start, m.end, m.cls) for m in doc._.mentions or []])


def sentence_features(doc: Doc) -> list[tuple[int, int, list[list[str]]]]:
    """``(start, end, features)`` of each sentence, for the recogniser (see
    :func:`kg.recogniser.features`)."""
    from kg.recogniser import features

    text = text_of(doc)
    analysis = doc._.analysis
    tags = rule_tags(doc)
    every = features(text, analysis.starts, analysis.tags, tags)
    return [(s, e, every[s:e]) for s, e in sentence_spans(text)]


@Language.factory("kg_author", requires=["doc._.mentions"], assigns=["doc._.author", "doc._.mentions"], default_config={"model": "models/author.json"})
def make_author(nlp: Language, name: str, model: str) -> "AuthorComponent":
    return AuthorComponent(model)


class AuthorComponent:
    """The document's author (:mod:`kg.author`): the body or region it speaks for, the
    implied agent of its sentences that name none. First-person names of a body (我局,
    本院) become the author's."""

    def __init__(self, model: str):
        self.model_path = package_path(model)
        self.model: RelationModel | None = None

    def from_disk(self, path, exclude=()):
        return self

    def to_disk(self, path, exclude=()):
        pass

    def load(self, path: Path | None = None) -> None:
        path = path or self.model_path
        self.model = RelationModel.from_disk(path) if path.exists() else None

    def __call__(self, doc: Doc) -> Doc:
        from kg import author

        if self.model is None:
            self.load()
        mentions = doc._.mentions or []
        doc._.author = author.find(self.model, text_of(doc), mentions, (doc._.article or {}).get("region")) if self.model else None
        author.resolve_first_person(text_of(doc), mentions, doc._.author)
        return doc


@Language.factory(
    "kg_relations",
    requires=["doc._.mentions", "token.is_sent_start"],
    assigns=["doc._.relations", "doc._.fundings"],
    default_config={"min_confidence": 0.5, "located_in_from_names": True, "model_threshold": 2.0, "rules": "union"},
)
def make_relations(nlp: Language, name: str, min_confidence: float, located_in_from_names: bool, model_threshold: float, rules: str) -> "Relations":
    return Relations(min_confidence, located_in_from_names, model_threshold, rules)


class Relations:
    """Relations and fundings sentence by sentence. The trigger rules find what they can;
    when a model is loaded (:mod:`kg.relmodel`), it decides every pair of the sentence,
    the document's author (:mod:`kg.author`) with what the sentence names when it names
    no agent, and each program with the groups it is for, reading what the rules said as
    one of its features. ``rules``: ``"union"`` keeps the rules' relations beside the
    model's, ``"features"`` keeps the model's alone. ``locatedIn`` from names like
    嵩县人民医院."""

    def __init__(self, min_confidence: float, located_in_from_names: bool, model_threshold: float, rules: str = "union"):
        if rules not in ("union", "features"):
            raise ValueError(f'kg_relations.rules must be "union" or "features", not {rules!r}')
        self.min_confidence = min_confidence
        self.located_in_from_names = located_in_from_names
        self.model_threshold = model_threshold
        self.rules = rules
        self.model: RelationModel | None = None

    def use_model(self, model: RelationModel) -> None:
        self.model = model

    def rule_relations(self, doc: Doc, start: int, end: int) -> tuple[list[Relation], list]:
        """What the trigger rules find in the sentence ``start:end``: relations and fundings."""
        return extract(text_of(doc), doc._.mentions or [], start, end)

    def __call__(self, doc: Doc) -> Doc:
        mentions = doc._.mentions or []
        relations: list[Relation] = []
        fundings = []
        text = text_of(doc)
        words = relmodel.words_of(doc._.analysis)
        for start, end in sentence_spans(text):
            found, money = self.rule_relations(doc, start, end)
            if self.model is not None:
                learned = relmodel.relations(self.model, text, words, mentions, doc._.targets or [], start, end, found, self.model_threshold, doc._.author)
                found = unique(learned + (found if self.rules == "union" else []))
            relations += [r for r in found if r.confidence >= self.min_confidence]
            fundings += _implied_funders(money, found)
        if self.located_in_from_names:
            relations += _located_in(mentions)
        doc._.relations = relations
        doc._.fundings = fundings
        return doc


def _implied_funders(fundings: list, relations: list[Relation]) -> list:
    """Money a sentence spends without saying who pays is the author's when the relation
    model found the author funding something in that sentence (安排7亿元实施…工程 in a
    province's work report): the author becomes the funder, what it funds the recipient."""
    implied = [r for r in relations if r.prop == "funds" and r.trigger == "implied"]
    for funding in fundings:
        if funding.funder is None and implied:
            funding.funder = implied[0].head
            funding.recipient = funding.recipient or implied[0].tail
    return fundings


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
