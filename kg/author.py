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
>>> sorted(f for f in candidate_features(text, ms, "四川省", "四川省") if f.startswith(("title", "cls", "region")))
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
_AGENT_CLASSES = ("Province", "City", "County", "Township", "GovernmentBody", "Hospital", "PrimaryCareFacility", "PublicHealthAgency",
                  "MedicalAlliance", "AcademicInstitution", "Organization", "CareFacility", "Enterprise")


def candidate_features(text: str, mentions: list[Mention], label: str, region: str | None) -> list[str]:
    """Features of the entity ``label`` as the author of ``text`` (``mentions`` are its
    mentions, none for the article's region when only its bodies' names hold it;
    ``region`` the name of the article's region)."""
    lines = text.split("\n")
    title = lines[0]
    title_end = len(title)
    head_end = len("\n".join(lines[:3]))
    tail_start = len(text) - len("\n".join(lines[-3:]))
    kinds = _KINDS.findall(title)
    if not mentions:  # the region, named only inside a body's name (山东省政府工作报告)
        feats = ["unnamed_region", f"kind={kinds[-1] if kinds else ''}|unnamed"]
        if label in title:
            feats += ["title_has_unnamed"] + [f"title={k}|unnamed" for k in kinds[-1:]]
        return feats + (["region_of_article"] if region and label == region else [])
    cls = mentions[0].cls
    feats = [f"cls={cls}", f"count={min(len(mentions), 6)}", f"first={min(mentions[0].start * 10 // max(len(text), 1), 9)}"]
    if any(m.start < title_end for m in mentions):
        feats += ["title_has"] + [f"title={k}|{cls}" for k in kinds[-1:]]
        if any(text[m.end : m.end + 2] == "关于" for m in mentions if m.start < title_end):
            feats.append("before_关于")
    feats += [f"kind={k}|{cls}" for k in kinds[-1:]]
    if any(m.start < head_end for m in mentions):
        feats.append("head_lines")
    if any(m.start >= tail_start for m in mentions):
        feats.append(f"signature|{cls}")
    if any(_FIRST_PERSON.match(text[m.start : m.end]) for m in mentions):
        feats.append(f"first_person|{cls}")
    if region and label == region:
        feats.append("region_of_article")
    return feats


def candidates(mentions: list[Mention], region=None) -> dict[str, list[Mention]]:
    """The article's possible authors, by label: its organisations and regions, and the
    article's ``region`` (a :class:`~kg.gazetteer.Region`) even when no mention of its own
    names it."""
    out: dict[str, list[Mention]] = {}
    for m in mentions:
        if m.cls in _AGENT_CLASSES and m.family != "coref" or m.family == "coref" and m.label in out:
            out.setdefault(m.label, []).append(m)
    if region is not None:
        out.setdefault(region.name, [])
    return out


def find(model: RelationModel, text: str, mentions: list[Mention], region=None, threshold: float = 0.0) -> Mention | None:
    """The author, or None when no candidate scores above ``threshold``: its first mention,
    or a mention made for the article's region when the text names it only inside a
    body's name."""
    best, best_score = None, threshold
    for label, ms in candidates(mentions, region).items():
        scores = model.scores(candidate_features(text, ms, label, region.name if region else None))
        score = scores.get(AUTHOR, 0.0) - scores.get(NONE, 0.0)
        if score > best_score:
            best = ms[0] if ms else Mention(0, 0, region.level, "regions", label=region.name, region=region, score=0.5)
            best_score = score
    return best


def training_data(text: str, mentions: list[Mention], region, gold_author: str | None, same) -> list[tuple[list[str], str]]:
    """One example per candidate: ``author`` for the gold author (matched by ``same``),
    ``NONE`` for the rest."""
    return [
        (candidate_features(text, ms, label, region.name if region else None), AUTHOR if gold_author and same(label, gold_author) else NONE)
        for label, ms in candidates(mentions, region).items()
    ]


def load(path: Path) -> RelationModel | None:
    return RelationModel.from_disk(path) if path.exists() else None
