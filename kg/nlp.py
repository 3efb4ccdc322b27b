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

import bisect
import re
from pathlib import Path
from typing import Callable

import numpy
import spacy
from spacy.attrs import IDX, ORTH, SENT_START, SPACY, TAG
from spacy.language import Language
from spacy.tokens import Doc, Span
from thinc.api import Config

from kg import gazetteer, relmodel, resolve
from kg.relations import Relation, extract, unique
from kg.relmodel import RelationModel
from kg.matching import KeywordMatcher
from kg.rules import Context, Mention, family
from kg.sentences import sentence_spans

DEFAULT_CONFIG = Path(__file__).with_name("default.cfg")

for _name, _default in (("article", None), ("mentions", None), ("relations", None), ("fundings", None), ("text", None)):
    if not Doc.has_extension(_name):
        Doc.set_extension(_name, default=_default)
if not Span.has_extension("kg_label"):
    Span.set_extension("kg_label", default=None)


TRAINED_COMPONENTS = ("kg_rule_tags", "kg_gated_ner", "kg_merge")


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


def make_nlp(config: Config | None = None, ner: Path | None = None, relation_model: Path | None = None, weights: bool = True) -> Language:
    """A spaCy pipeline built from the config's ``[nlp]`` and ``[components]`` sections,
    with the trained weights loaded (``ner`` and ``relation_model`` override the config's;
    ``weights=False`` leaves the recogniser untrained, for training)."""
    config = config or load_config()
    spacy_config = Config({"nlp": config["nlp"], "components": config["components"]})
    nlp = spacy.util.load_model_from_config(spacy_config, auto_fill=True, validate=True)
    if "kg_gated_ner" in nlp.pipe_names and weights:
        path = ner or package_path(config["kg"]["ner_model"])
        if not path.exists():
            raise FileNotFoundError(f"no trained recogniser at {path}: run `kg train`, or build with --rules")
        nlp.get_pipe("kg_gated_ner").from_disk(path)
        model = relation_model or package_path(config["kg"]["relation_model"])
        if model.exists():
            nlp.get_pipe("kg_relations").use_model(RelationModel.from_disk(model))
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


@Language.factory("kg_rule_tags", requires=["doc._.mentions"], assigns=["token.tag"])
def make_rule_tags(nlp: Language, name: str) -> "RuleTags":
    return RuleTags()


class RuleTags:
    """Write what the rules found into ``token.tag_`` (``B-Program``, ``I-Program``, ``O``)
    for the trained recogniser to read."""

    def __call__(self, doc: Doc) -> Doc:
        strings = doc.vocab.strings
        tags = numpy.full(len(doc), strings.add("O"), dtype="uint64")
        for m in doc._.mentions or []:
            span = doc.char_span(m.start, m.end)
            if span is None:
                continue
            tags[span.start] = strings.add(f"B-{m.cls}")
            tags[span.start + 1 : span.end] = strings.add(f"I-{m.cls}")
        if len(doc):
            doc.from_array([TAG], tags.reshape(-1, 1))
        return doc


@Language.factory(
    "kg_gated_ner",
    requires=["doc.ents", "token.tag"],
    assigns=["doc.ents"],
    default_config={"model": None, "cues": ["摄", "同志", "老人", "先生", "女士", "大爷", "阿姨"], "window": [0, 0]},
)
def make_gated_ner(nlp: Language, name: str, model, cues: list[str], window: list[int]) -> "GatedNER":
    return GatedNER(nlp, name, model, cues, window)


class GatedNER:
    """The trained recogniser, run only where what it decides can occur: for people,
    around a post (院长, 市长, 记者…, from the lexicon), a photo credit or one of the
    ``cues``, in sentences that have one. A quarter of the text holds four fifths of the
    people named, so this keeps the build fast. ``window`` (characters before and after
    a cue, widened to whole clauses) narrows it further; ``[0, 0]`` takes whole
    sentences."""

    def __init__(self, nlp: Language, name: str, model, cues: list[str], window: list[int]):
        from spacy.pipeline.ner import EntityRecognizer

        from kg.lexicon import words

        self.inner = EntityRecognizer(nlp.vocab, model, name=name)
        self.cues = KeywordMatcher({w: w for w in list(words().positions) + list(cues)})
        self.before, self.after = window

    def from_disk(self, path, exclude=()):
        self.inner.from_disk(path, exclude=exclude)
        return self

    def to_disk(self, path, exclude=()):
        self.inner.to_disk(path, exclude=exclude)

    def __call__(self, doc: Doc) -> Doc:
        return next(self.pipe([doc]))

    def pipe(self, docs, batch_size: int = 32):
        """The recogniser runs once per batch of Docs, over all their gated sentences
        together: one big batch keeps its matrix products large and its calls few."""
        for batch in spacy.util.minibatch(docs, size=batch_size):
            gated = [self._gated(doc) for doc in batch]
            found = iter(self.inner.pipe([sentence_doc(span, columns) for sentences, columns in gated for span in sentences], batch_size=256))
            for doc, (sentences, _) in zip(batch, gated):
                if sentences:
                    self._set(doc, sentences, [next(found) for _ in sentences])
                yield doc

    def _gated(self, doc: Doc) -> tuple[list[Span], numpy.ndarray | None]:
        """The stretches of ``doc`` the recogniser should read (sentences, or windows
        within them), and the columns of the Doc their own Docs are made from."""
        text = text_of(doc)
        hits = sorted((start, end) for start, end, _ in self.cues.find_all(text))
        windowed = bool(self.before or self.after)
        before, after = (self.before, self.after) if windowed else (len(text), len(text))  # [0, 0]: whole sentences
        spans = [span for s, e in sentence_spans(text) for span in _windows(text, hits, s, e, before, after)]
        sentences = [doc.char_span(s, e, alignment_mode="expand" if windowed else "strict") for s, e in spans]
        sentences = [span for span in sentences if span is not None]
        return sentences, doc.to_array(SENTENCE_COLUMNS) if sentences else None

    @staticmethod
    def _set(doc: Doc, sentences: list[Span], found: list[Doc]) -> None:
        """The recogniser's entities replace the Doc's own inside the gated sentences."""
        inside = {i for span in sentences for i in range(span.start, span.end)}
        spans = [(e.start_char, e.end_char, e.label_) for e in doc.ents if e.start not in inside]
        for span, sub in zip(sentences, found):
            spans += [(span.start_char + e.start_char, span.start_char + e.end_char, e.label_) for e in sub.ents]
        doc.ents = spacy.util.filter_spans([doc.char_span(start, end, label=label) for start, end, label in spans])


def sentence_doc(span: Span, columns: numpy.ndarray | None = None) -> Doc:
    """The sentence as a Doc of its own, with its characters' rule tags and no preset
    entities: the recogniser is trained and run on these (preset entities would also put
    spaCy's NER on a slow path). ``columns`` is ``doc.to_array(SENTENCE_COLUMNS)``, to
    share between the sentences of a Doc; made from these arrays rather than by
    ``span.as_doc()``, which copies every token's attributes and was a tenth of a build.

    >>> nlp = spacy.blank("zh")
    >>> doc = nlp("院长说。王一摄")
    >>> [t.text for t in sentence_doc(doc[4:7])], sentence_doc(doc[4:7]).ents
    (['王', '一', '摄'], ())
    """
    rows = (span.doc.to_array(SENTENCE_COLUMNS) if columns is None else columns)[span.start : span.end]
    strings = span.doc.vocab.strings
    doc = Doc(span.doc.vocab, words=[strings[int(orth)] for orth in rows[:, 0]], spaces=[bool(space) for space in rows[:, 1]])
    doc.from_array([TAG], rows[:, 2:3])
    return doc


SENTENCE_COLUMNS = [ORTH, SPACY, TAG]


def _windows(text: str, hits: list[tuple[int, int]], start: int, end: int, before: int, after: int) -> list[tuple[int, int]]:
    """The stretches of the sentence ``text[start:end]`` within ``before`` characters
    before and ``after`` after a cue that starts in it, widened to whole clauses (so no
    name is cut in two), overlapping ones joined.

    >>> _windows("甲乙，丙丁主任戊己庚、辛壬癸。", [(4, 6)], 0, 15, 1, 2)
    [(3, 10)]
    """
    out: list[tuple[int, int]] = []
    for i in range(bisect.bisect_left(hits, (start,)), len(hits)):
        cue_start, cue_end = hits[i]
        if cue_start >= end:
            break
        s, e = max(start, cue_start - before), min(end, cue_end + after)
        while s > start and text[s - 1] not in _CLAUSE_MARKS:
            s -= 1
        while e < end and text[e] not in _CLAUSE_MARKS:
            e += 1
        if out and s <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], e))
        else:
            out.append((s, e))
    return out


_CLAUSE_MARKS = frozenset("，。；：、！？,;:!?（）()“”《》 \n")


@Language.factory(
    "kg_merge",
    requires=["doc.ents", "doc._.mentions"],
    assigns=["doc._.mentions", "doc.ents"],
    default_config={"model_classes": ["Person"]},
)
def make_merge(nlp: Language, name: str, model_classes: list[str]) -> "Merge":
    return Merge(set(model_classes))


class Merge:
    """Combine the trained recogniser with the rules, each where it is stronger: for the
    ``model_classes`` (chosen by cross-validation, see the README) the recogniser decides
    what is an entity; for the other classes the rules do. A span both found keeps the
    rules' canonical name; a span only the recogniser found is named by
    :func:`kg.resolve.canonical_surface`."""

    def __init__(self, model_classes: set[str]):
        self.model_classes = model_classes

    def __call__(self, doc: Doc) -> Doc:
        article = resolve.Article((doc._.article or {}).get("region"))
        rules = doc._.mentions or []
        by_span = {(m.start, m.end): m for m in rules}
        merged = [m for m in rules if m.cls not in self.model_classes or m.family == "coref"]
        taken = {i for m in merged for i in range(m.start, m.end)}
        for ent in doc.ents:
            if ent.label_ not in self.model_classes or not taken.isdisjoint(range(ent.start_char, ent.end_char)):
                continue
            rule = by_span.get((ent.start_char, ent.end_char))
            if rule is not None and rule.cls == ent.label_:
                merged.append(rule)
                continue
            label = resolve.canonical_surface(ent.text, ent.label_, article)
            if label:
                merged.append(Mention(ent.start_char, ent.end_char, ent.label_, "ner", label=label, score=0.7))
        set_mentions(doc, sorted(merged, key=lambda m: m.start))
        return doc


@Language.factory(
    "kg_relations",
    requires=["doc._.mentions", "token.is_sent_start"],
    assigns=["doc._.relations", "doc._.fundings"],
    default_config={"min_confidence": 0.5, "located_in_from_names": True, "model_threshold": 8.0},
)
def make_relations(nlp: Language, name: str, min_confidence: float, located_in_from_names: bool, model_threshold: float) -> "Relations":
    return Relations(min_confidence, located_in_from_names, model_threshold)


class Relations:
    """Relations and fundings sentence by sentence, from the trigger rules and, when one
    is loaded, the trained relation model (:mod:`kg.relmodel`); ``locatedIn`` from names
    like 嵩县人民医院."""

    def __init__(self, min_confidence: float, located_in_from_names: bool, model_threshold: float):
        self.min_confidence = min_confidence
        self.located_in_from_names = located_in_from_names
        self.model_threshold = model_threshold
        self.model: RelationModel | None = None

    def use_model(self, model: RelationModel) -> None:
        self.model = model

    def __call__(self, doc: Doc) -> Doc:
        mentions = doc._.mentions or []
        relations: list[Relation] = []
        fundings = []
        text = text_of(doc)
        for start, end in sentence_spans(text):
            found, money = extract(text, mentions, start, end)
            if self.model is not None:
                found = unique(found + relmodel.relations(self.model, text, mentions, start, end, found, self.model_threshold))
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
