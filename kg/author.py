"""The author of a document: the body or region it speaks for, the implied agent of its
sentences that name none.

A government work report states its measures without a subject (实施医疗卫生强基工程):
the region whose government reports is the agent. A notice or plan is issued by a body
whose measures it lists; a hospital's own news speaks for the hospital. Which entity of
an article is its author is learned, as a ranking over its organisations and regions,
from the corpus records' ``author``: where it is named (the title, the first lines, the
signature at the end), how often, whether first-person names point to it (我局, 本院,
全省), what kind of document the title says it is (通知, 方案, 政府工作报告), its class.

>>> from kg.rules import Mention
>>> text = "四川省2025年政府工作报告\\n实施医疗卫生强基工程。全省建成县域医共体。"
>>> ms = [Mention(0, 3, "Province", "regions", label="四川省"), Mention(21, 23, "Province", "regions", label="四川省")]
>>> sorted(f for f in candidate_features(text, "Province", ms, "四川省", "四川省") if f.startswith(("title", "cls", "region")))
['cls=Province', 'region_of_article', 'title=政府工作报告|Province', 'title_has']
"""

from __future__ import annotations

import re
from pathlib import Path

from kg.relmodel import NONE, RelationModel
from kg.rules import Mention

AUTHOR = "author"
#: What a title says the document is, the words looked for.
_KINDS = re.compile(r"政府工作报告|工作报告|报告|通知|方案|意见|办法|规划|公示|名单|通报|公告|解读|总结|汇报|会议|讲话")
_FIRST_PERSON = re.compile(r"^(?:我|本|全|该)")
_SELF = re.compile(r"(?:我|本)(局|委|厅|院|中心|办|所|站|校|会|部)(?!长|员)")
_AGENT_CLASSES = ("Province", "City", "County", "Township", "GovernmentBody", "Hospital", "PrimaryCareFacility", "PublicHealthAgency",
                  "MedicalAlliance", "AcademicInstitution", "Organization", "CareFacility", "Enterprise")


def candidate_features(text: str, cls: str, mentions: list[Mention], label: str, region: str | None) -> list[str]:
    """Features of the entity ``label`` (of class ``cls``) as the author of ``text``:
    ``mentions`` are where the text names it (for a region, also the names of its
    government: 山东省政府工作报告 names 山东省), ``region`` the name of the article's region."""
    lines = text.split("\n")
    title = lines[0]
    title_end = len(title)
    head_end = len("\n".join(lines[:3]))
    tail_start = len(text) - len("\n".join(lines[-3:]))
    kinds = _KINDS.findall(title)[-1:]
    feats = [f"cls={cls}", f"count={min(len(mentions), 6)}"] + [f"kind={k}|{cls}" for k in kinds]
    if region and label == region:
        feats.append("region_of_article")
    if not mentions:
        return feats + ["unnamed"]
    feats.append(f"first={min(mentions[0].start * 10 // max(len(text), 1), 9)}")
    if any(m.start < title_end for m in mentions):
        feats += ["title_has"] + [f"title={k}|{cls}" for k in kinds]
        if any(text[m.end : m.end + 2] == "关于" for m in mentions if m.start < title_end):
            feats.append("before_关于")
    if any(m.start < head_end for m in mentions):
        feats.append("head_lines")
    if any(m.start >= tail_start for m in mentions):
        feats.append(f"signature|{cls}")
    if any(_FIRST_PERSON.match(text[m.start : m.end]) for m in mentions):
        feats.append(f"first_person|{cls}")
    # 我局 in a notice of 北京市中医管理局: the first-person name is of the author's kind.
    kinds_named = {match.group(1) for match in _SELF.finditer(text)}
    if any(label.endswith(kind) or kind == "委" and label.endswith("委员会") for kind in kinds_named):
        feats.append(f"named_as_self|{cls}")
    return feats


def candidates(text: str, mentions: list[Mention], region=None) -> dict[str, tuple[str, list[Mention]]]:
    """The article's possible authors, by label, with their class and mentions: its
    organisations and regions; the region of a government named (山东省政府 names
    山东省); and the article's ``region`` (a :class:`~kg.gazetteer.Region`) even when
    nothing names it."""
    from kg import gazetteer

    out: dict[str, tuple[str, list[Mention]]] = {}
    gaz = gazetteer.load()
    for m in mentions:
        if m.cls in _AGENT_CLASSES and m.family != "coref" or m.family == "coref" and m.label in out:
            out.setdefault(m.label, (m.cls, []))[1].append(m)
        if m.cls == "GovernmentBody" and m.label.endswith("人民政府"):
            place = gaz.lookup(m.label.removesuffix("人民政府"))
            if len(place) == 1:
                out.setdefault(place[0].name, (place[0].level, []))[1].append(m)
    if region is not None:
        out.setdefault(region.name, (region.level, []))
    return out


def find(model: RelationModel, text: str, mentions: list[Mention], region=None, threshold: float = 0.0) -> Mention | None:
    """The author, or None when no candidate scores above ``threshold``: one of its
    mentions, or a mention made for a region the text names only inside its
    government's name, or not at all."""
    from kg import gazetteer

    best, best_score = None, threshold
    for label, (cls, ms) in candidates(text, mentions, region).items():
        scores = model.scores(candidate_features(text, cls, ms, label, region.name if region else None))
        score = scores.get(AUTHOR, 0.0) - scores.get(NONE, 0.0)
        if score > best_score:
            best_score = score
            own = [m for m in ms if m.label == label]
            if own:
                best = own[0]
            else:
                place = next(iter(gazetteer.load().lookup(label)), region)
                best = Mention(0, 0, cls, "regions", label=label, region=place, score=0.5)
    return best


def training_data(text: str, mentions: list[Mention], region, gold_author: str | None, same) -> list[tuple[list[str], str]]:
    """One example per candidate: ``author`` for the gold author (matched by ``same``),
    ``NONE`` for the rest."""
    return [
        (candidate_features(text, cls, ms, label, region.name if region else None), AUTHOR if gold_author and same(label, gold_author) else NONE)
        for label, (cls, ms) in candidates(text, mentions, region).items()
    ]


#: First-person names of a body (我局, 本院): in a document, its author.
FIRST_PERSON_BODY = re.compile(r"^(?:我|本)(?:局|委|厅|院|中心|办|所|站|校|会|部)$")


def resolve_first_person(text: str, mentions: list[Mention], author: Mention | None) -> None:
    """Give 我局, 本局, 我委, 我院… the author's name (and class) when the author is a body."""
    if author is None or author.cls in ("Province", "City", "County", "Township", "Village"):
        return
    for m in mentions:
        if FIRST_PERSON_BODY.match(text[m.start : m.end]):
            m.label, m.cls = author.label, author.cls


def load(path: Path) -> RelationModel | None:
    return RelationModel.from_disk(path) if path.exists() else None
