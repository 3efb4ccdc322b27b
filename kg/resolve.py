"""Canonical names: resolve relative names against the article's region, expand
abbreviations, fold aliases, and drop mentions that stay vague.

In an article about Luoyang, ``市卫生健康委`` is ``洛阳市卫生健康委员会``; in one
about Wuyang county ``县人民医院`` is ``舞阳县人民医院``; in one about a city,
``县人民医院`` names no particular hospital and is dropped.

>>> from kg import gazetteer
>>> from kg.rules import Mention
>>> luoyang = gazetteer.load().lookup("洛阳市")[0]
>>> m = Mention(0, 6, "GovernmentBody", "organizations", anchor="市", anchor_end=1)
>>> canonical(m, "市卫生健康委", Article(luoyang))
'洛阳市卫生健康委员会'
>>> canonical(Mention(0, 3, "Hospital", "organizations", anchor="县", anchor_end=1), "县医院", Article(luoyang)) is None
True
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from kg import gazetteer
from kg.gazetteer import Region
from kg.lexicon import words
from kg.rules import Mention

_RELATIVE_LEVEL = {"市": "City", "县": "County", "省": "Province", "区": "County"}
# Classes whose names keep a city's short form as written (河南大学, 上海和佑养老集团).
_BRAND_CLASSES = {"AcademicInstitution", "Enterprise", "Organization"}


@dataclass
class Article:
    """What resolution needs to know about the article: its region, and the regions
    and bodies named so far (for 该院, 该中心)."""

    region: Region | None
    named: list[Mention] = field(default_factory=list)


def region_for(level: str, article: Article) -> Region | None:
    """The region a relative word of ``level`` stands for in this article.

    >>> songxian = gazetteer.load().lookup("嵩县")[0]
    >>> region_for("City", Article(songxian)).name, region_for("Province", Article(songxian)).name
    ('洛阳市', '河南省')
    """
    focus = article.region
    if focus is None:
        return None
    chain = [focus, *gazetteer.load().ancestors(focus)]
    for region in chain:
        if region.level == level:
            return region
    # 全区 in an article about an autonomous region is that region.
    if level == "County" and focus.level == "Province" and focus.name.endswith("自治区"):
        return focus
    return None


def canonical(mention: Mention, surface: str, article: Article) -> str | None:
    """The canonical label for ``mention`` (whose text is ``surface``), or None to drop it."""
    if mention.relative:
        region = region_for(mention.relative, article)
        return region.name if region else None
    if mention.cls in ("Province", "City", "County"):
        return _region_label(mention, article)
    if mention.label and mention.family != "organizations":
        return mention.label
    if mention.label:  # lexicon body
        return mention.label
    if mention.family == "organizations":
        return _organization_label(mention, surface, article)
    return surface


def _region_label(mention: Mention, article: Article) -> str:
    if mention.region is not None:
        return mention.region.name
    candidates: list[Region] = mention.extra.get("candidates", [])
    chosen = choose_region(candidates, article)
    if chosen is not None:
        mention.region = chosen
        return chosen.name
    return mention.label


def choose_region(candidates: list[Region], article: Article) -> Region | None:
    """Of several regions sharing a name (鼓楼区), the one under the article's region
    or under a region the article names."""
    gaz = gazetteer.load()
    context = [article.region] if article.region else []
    context += [m.region for m in article.named if m.region is not None]
    for region in candidates:
        if any(c in gaz.ancestors(region) for c in context):
            return region
    return None


def _organization_label(mention: Mention, surface: str, article: Article) -> str | None:
    anchor_len = mention.anchor_end - mention.start
    rest = surface[anchor_len:] if mention.anchor is not None else surface
    rest = mention.extra.get("written_as", rest)  # 发改 in a list of fields: 发改部门
    anchor = mention.anchor
    if isinstance(anchor, str) and len(anchor) == 1 and anchor in _RELATIVE_LEVEL:
        region = region_for(_RELATIVE_LEVEL[anchor], article)
        if region is None:
            return None
        prefix = region.name
    elif isinstance(anchor, Region):
        prefix = _anchor_prefix(anchor, surface[:anchor_len], mention, rest)
    elif "listed_after" in mention.extra:
        # 安溪县桃溪卫生院、杏林卫生院: a later item of a list takes the first item's place.
        first: Mention = mention.extra["listed_after"]
        prefix = first.extra.get("prefix", "")
    else:
        prefix = surface[:anchor_len] if anchor is not None else ""
    mention.extra["prefix"] = prefix
    if mention.extra.get("party"):
        return f"中共{prefix}委员会"
    return expand(strip_region_chain(prefix + rest))


def _anchor_prefix(anchor: Region, written: str, mention: Mention, rest: str) -> str:
    """How the place is written in the canonical name: a county's short form becomes its
    full name (安溪桃溪卫生院 → 安溪县桃溪卫生院); a city's short form stays in brand-like
    names (河南大学) and in names with a proper part (天津青柳社区卫生服务中心)."""
    if written == anchor.name:
        return written
    if anchor.level == "County" or written.endswith("自治区") or mention.cls not in _BRAND_CLASSES and _bare_type(rest):
        return anchor.name
    return written


def _bare_type(rest: str) -> bool:
    """True when what follows the place is only a type word (卫生健康委, 人民医院)."""
    return bool(re.match(r"^(?:第[一二三四五六七八九十]+)?(?:人民医院|中医院|中医医院|中心医院|妇幼保健院|卫生健康委|卫健委|卫生计生委|政府|人民政府|疾病预防控制中心|疾控中心)", rest))


_GOVERNMENT = re.compile(r"(?<=[市县省区])政府")


def expand(label: str) -> str:
    """Expand abbreviated body names.

    >>> expand("国家卫生计生委科教司"), expand("开封市政府"), expand("市妇保院"), expand("漯河市六院")
    ('国家卫生和计划生育委员会科技教育司', '开封市人民政府', '市妇幼保健院', '漯河市第六人民医院')
    """
    for short, full in sorted(words().abbreviations.items(), key=lambda kv: -len(kv[0])):
        if short in label and full not in label:
            label = re.sub(re.escape(short) + r"(?!员)", full, label)
    return _GOVERNMENT.sub("人民政府", label)


def strip_region_chain(label: str) -> str:
    """Drop a leading province, and a leading city before a county (not a district, which
    is named with its city), as the calibration labels do: 黑龙江省大兴安岭地区呼玛县…卫生室 →
    呼玛县…卫生室, but 湖北省武汉市洪山区… → 武汉市洪山区….

    >>> strip_region_chain("湖北省武汉市洪山区青松路社区卫生服务中心")
    '武汉市洪山区青松路社区卫生服务中心'
    >>> strip_region_chain("黑龙江省大兴安岭地区呼玛县白桦乡3村卫生室")
    '呼玛县白桦乡3村卫生室'
    """
    gaz = gazetteer.load()
    hits = gaz.find(label)
    chain = []
    position = 0
    for start, end, name in hits:
        if start != position:
            break
        chain.append((start, end, gaz.lookup(name)))
        position = end
    if len(chain) < 2:
        return label
    keep_from = 0
    for i, (start, end, regions) in enumerate(chain[:-1]):
        nxt = chain[i + 1][2]
        if regions and regions[0].level == "Province":
            keep_from = chain[i + 1][0]
        elif regions and regions[0].level == "City" and len(nxt) == 1 and nxt[0].level == "County" and not nxt[0].name.endswith("区"):
            keep_from = chain[i + 1][0]
        else:
            break
    return label[keep_from:]


def canonical_surface(surface: str, cls: str, article: Article) -> str | None:
    """A canonical name for a span the trained recogniser found: the rule families are
    run on the span alone, and a mention covering it all lends its analysis (its place,
    its relative prefix); otherwise the surface, without enclosing quotes, abbreviations
    expanded.

    >>> canonical_surface("市卫生健康委", "GovernmentBody", Article(gazetteer.load().lookup("洛阳市")[0]))
    '洛阳市卫生健康委员会'
    >>> canonical_surface("“春苗工程”", "Program", Article(None))
    '春苗工程'
    >>> canonical_surface("二甲", "Accreditation", Article(None))
    '二级甲等医院评审'
    """
    from kg.rules import Context, family

    context = Context(region=article.region)
    for name in ("kg.rules.regions.v1", "kg.rules.organizations.v1", "kg.rules.programs.v1", "kg.rules.honours.v1"):
        for m in family(name)(surface, context):
            if m.start == 0 and m.end == len(surface):
                if m.cls != cls and not (m.family == "regions" and cls in ("Province", "City", "County", "Township", "Village")):
                    continue
                return canonical(m, surface, article)
    if cls == "Accreditation":  # a grade alone (二甲) is named as what is passed: 通过二甲
        for m in family("kg.rules.honours.v1")("通过" + surface, context):
            if m.start <= 2 and m.end == len(surface) + 2 and m.cls == "Accreditation":
                return m.label
    if cls in ("Province", "City", "County") and surface in ("全市", "全县", "全省", "我市", "该县", "该市", "我县"):
        return None
    text = surface.strip("“”\"")
    if len(text) < 2:
        return None
    return expand(text) if cls not in ("Program", "Policy", "Person", "Award") else text


# A short name for a document named in full elsewhere: 本办法, 该方案, 《意见》, 上述规划.
_DOCUMENT_BACK = re.compile(r"^(?:本|该|此|上述)?《?(办法|方案|意见|通知|规划|规定|细则|条例|制度|标准|指南|决定|计划|纲要|要点|规范)》?$")


def document_back_references(text: str, mentions: list[Mention]) -> None:
    """Give a short back-reference to a document (本办法, 该方案, 《意见》) the name of the
    document it stands for: the nearest earlier Policy whose name ends with that kind of
    document, else the first such Policy of the text.

    >>> text = "《外来医师短期执业管理办法》已经审议。本办法自公布之日起施行。"
    >>> ms = [Mention(0, 14, "Policy", "recogniser", label="《外来医师短期执业管理办法》"), Mention(19, 22, "Policy", "recogniser", label="本办法")]
    >>> document_back_references(text, ms); ms[1].label
    '《外来医师短期执业管理办法》'
    """
    policies = [m for m in mentions if m.cls == "Policy"]
    full = [m for m in policies if not _DOCUMENT_BACK.match(text[m.start : m.end])]
    for m in policies:
        match = _DOCUMENT_BACK.match(text[m.start : m.end])
        if not match:
            continue
        kind = match.group(1)
        fits_kind = [p for p in full if p.label.rstrip("》”").endswith(kind)]
        earlier = [p for p in fits_kind if p.start < m.start]
        target = earlier[-1] if earlier else fits_kind[0] if fits_kind else None
        if target is not None:
            m.label = target.label
