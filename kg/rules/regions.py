"""Region mentions: gazetteer names, county short forms, townships and villages, and
relative names (全市, 该县, 我省).

>>> from kg.rules import Context
>>> [(m.label or m.relative, m.cls) for m in find("到临颍县巨陵镇大段村帮扶指导，全县共投入。", Context())]
[('临颍县', 'County'), ('巨陵镇', 'Township'), ('大段村', 'Village'), ('County', 'County')]
"""

from __future__ import annotations

import re

from kg import gazetteer
from kg.matching import KeywordMatcher
from kg.rules import Context, Mention, register
from kg.rules.text import MEASURE, PUNCT, STOP_CHARS, STOP_WORDS, is_han, left_boundary

#: Relative names and the level they stand for.
RELATIVE = {
    "全市": "City", "我市": "City", "该市": "City", "本市": "City",
    "全县": "County", "我县": "County", "该县": "County", "本县": "County",
    "全区": "County", "我区": "County", "该区": "County",
    "全省": "Province", "我省": "Province", "本省": "Province", "该省": "Province",
    "全镇": "Township", "该镇": "Township", "全乡": "Township", "该乡": "Township",
    # 市财政投入2660万元: the treasury spends for its city or county.
    "市财政": "City", "市级财政": "City", "市县财政": "City", "县财政": "County", "县级财政": "County",
}  # fmt: skip

_RELATIVE = re.compile("|".join(RELATIVE))
# Last characters of village names (庄, 店, 寨…), for a village named without its township.
_VILLAGE_ENDINGS = set("庄店寨营屯坡湾沟集楼岗堡口桥河山岭坪园洼铺窑湖塘坝峪圪庙台桥头")
# 村医, 村民, 乡村, 乡镇: the 村/乡 is part of another word.
_NOT_AFTER = re.compile(r"[医民干委级组村镇办卫]")
_TOWNSHIP = re.compile(r"(?:街道|镇|乡|村)")
# Words ending in 镇/乡/村 that name no place.
_NOT_PLACES = frozenset(
    """乡镇 城乡 县乡 下乡 返乡 回乡 本乡 家乡 异乡 进村 入村 到村 驻村 包村 每村 全村 各村 本村 该村 农村 乡村
    山村 邻村 贫困村 行政村 重点村 扶贫村 共建村 示范村 帮扶村 试点村 中心村 自然村 非贫困村 城镇 集镇 小镇 全镇 各镇
    该镇 本镇 重镇 全乡 各乡 该乡 深入乡 深入村 美丽乡村 移民村 新农村 合作村 结对村 特色小镇 街道 各街道""".split()
)


@register("kg.rules.regions.v1")
def find(text: str, context: Context) -> list[Mention]:
    """Every region mention in ``text``; also stores them on ``context.regions``."""
    gaz = gazetteer.load()
    mentions = [_gazetteer_mention(s, e, name, gaz) for s, e, name in gaz.find(text)]
    mentions = [m for m in mentions if m is not None]
    mentions += _county_short_forms(text, mentions)
    mentions += _townships(text, mentions)
    taken = {i for m in mentions for i in range(m.start, m.end)}
    for match in _RELATIVE.finditer(text):
        if taken.isdisjoint(range(match.start(), match.end())) and _relative_ok(text, match.end()):
            level = RELATIVE[match.group()]
            mentions.append(Mention(match.start(), match.end(), level, "regions", relative=level, score=0.7))
    mentions.sort(key=lambda m: m.start)
    context.regions = mentions
    return mentions


def _gazetteer_mention(start: int, end: int, name: str, gaz: gazetteer.Gazetteer) -> Mention | None:
    candidates = gaz.lookup(name)
    if not candidates:
        return None
    region = candidates[0] if len(candidates) == 1 else None
    level = candidates[0].level
    label = region.name if region else name
    return Mention(start, end, level, "regions", label=label, region=region, score=0.9, extra={"candidates": candidates})


def _relative_ok(text: str, end: int) -> bool:
    """全市 in 全市场 is not a place."""
    return not text[end : end + 1] in ("场",)


def _county_short_forms(text: str, found: list[Mention]) -> list[Mention]:
    """A county named in full in this article may also appear without its suffix
    (光山县 ... 光山): those short forms count here, and only here."""
    shorts = {}
    for m in found:
        if m.cls == "County" and m.region and len(m.label) >= 3 and m.label[-1] in "县市区旗":
            shorts[m.label[:-1]] = m.region
    if not shorts:
        return []
    taken = {i for m in found for i in range(m.start, m.end)}
    result = []
    for start, end, short in KeywordMatcher({s: s for s in shorts}).find(text):
        if taken.isdisjoint(range(start, end)):
            region = shorts[short]
            result.append(Mention(start, end, "County", "regions", label=region.name, region=region, score=0.7))
    return result


def _townships(text: str, found: list[Mention]) -> list[Mention]:
    """镇, 乡, 街道 and 村 names: after a county or township (up to five characters), or
    two or three characters after a word boundary."""
    ends = {m.end: m for m in found}
    result: list[Mention] = []
    taken = {i for m in found for i in range(m.start, m.end)}
    for match in _TOWNSHIP.finditer(text):
        suffix_start, end = match.start(), match.end()
        if suffix_start in taken:
            continue
        start = _township_start(text, suffix_start, ends, taken)
        if start is None:
            continue
        name = text[start:end]
        if name in _NOT_PLACES or text[start:suffix_start] in _NOT_PLACES or _NOT_AFTER.match(text, end):
            continue
        if any(name.endswith(word) for word in ("农村", "乡村", "山村", "贫困村", "重点村")):
            continue  # 商丘市实现农村…: a common noun after a place, not a village's name
        if text[start:suffix_start] in STOP_WORDS or re.match(r"、[乡镇村县]", text[end : end + 2]):
            continue  # 组织乡、村两级: levels listed, not a place
        if text[suffix_start - 1] == "族":  # 回族乡村医生, 维族村医
            continue
        level = "Village" if match.group() == "村" else "Township"
        mention = Mention(start, end, level, "regions", label=name, score=0.7)
        parent = ends.get(start)
        if parent is not None and parent.cls in ("County", "Township") and (parent.region or parent.cls == "Township"):
            mention.extra["parent"] = parent  # 临颍县巨陵镇大段村: each is part of the one before
        result.append(mention)
        ends[end] = mention
        taken.update(range(start, end))
    return result


def _township_start(text: str, suffix_start: int, ends: dict[int, Mention], taken: set[int]) -> int | None:
    for length in (2, 3, 4, 5):
        start = suffix_start - length
        if start < 0 or not all(is_han(ch) for ch in text[start:suffix_start]) or start in taken:
            break
        if text[suffix_start - 1] in "乡镇村县市区省":
            break  # 乡村, 村村, 县乡: two place words, no name
        if start in ends and ends[start].cls in ("County", "Township", "City"):
            return start  # any name, even a transliterated one, right after a county
        core = text[start:suffix_start]
        if length <= 3 and not any(ch in STOP_CHARS for ch in core) and core[0] not in MEASURE:
            after_word = left_boundary(text, start) or any(text[max(0, start - n) : start] in _NOT_PLACES for n in (2, 3))
            # A village on its own must look like one: 莫庄村, 王坡村, 曹店村.
            village_like = text[suffix_start] != "村" or length == 2 and core[-1] in _VILLAGE_ENDINGS
            if after_word and village_like:
                return start
    return None
