"""Organisation names, found from the type word they end with.

A Chinese body name is ``[place][proper part][type word]``: 濮阳市 + 第三 +
人民医院, 河南大学 + 中医药 + 研究院, 迪安诊断技术 + 集团股份有限公司. The rule
finds the type word, then the start of the name: the leftmost place, country or
relative prefix (市, 县, 省) whose proper part is clean, or, with no place, a
short proper part right after a word boundary. A name that is only a category
(县级医院, 乡镇卫生院, 9家县人民医院) is dropped.

>>> from kg.rules import Context, regions
>>> def names(text):
...     ctx = Context(); regions.find(text, ctx)
...     return [(text[m.start:m.end], m.cls) for m in find(text, ctx)]
>>> names("濮阳市第三人民医院成功创建二级甲等医院，市中医医院顺利通过复审")
[('濮阳市第三人民医院', 'Hospital'), ('市中医医院', 'Hospital')]
>>> names("与迪安诊断技术集团股份有限公司签署协议，全市二级以上综合医院和9家县人民医院")
[('迪安诊断技术集团股份有限公司', 'Enterprise')]
>>> names("成立河南大学中医药研究院，引进德国蕾娜范养老集团")
[('河南大学中医药研究院', 'AcademicInstitution'), ('德国蕾娜范养老集团', 'Enterprise')]
"""

from __future__ import annotations

import re

from kg.lexicon import words
from kg.matching import KeywordMatcher
from kg.rules import Context, Mention, register
from kg.rules.text import MEASURE, after_count, clean_core, is_han, left_boundary, listed

# (type word, class, longest proper part allowed without a place before it)
SUFFIXES: list[tuple[str, str, int]] = [
    # Hospitals
    ("中西医结合医院", "Hospital", 4), ("妇幼保健计划生育服务中心", "Hospital", 2), ("妇幼保健院", "Hospital", 2),
    ("妇保院", "Hospital", 2), ("人民医院", "Hospital", 3), ("中医医院", "Hospital", 3), ("中医院", "Hospital", 3),
    ("中心医院", "Hospital", 3), ("儿童医院", "Hospital", 3), ("附属医院", "Hospital", 4), ("总医院", "Hospital", 4),
    ("医院", "Hospital", 4), ("院", "Hospital", 0),
    # Primary care
    ("社区卫生服务中心", "PrimaryCareFacility", 4), ("社区卫生服务站", "PrimaryCareFacility", 4),
    ("卫生服务中心", "PrimaryCareFacility", 3), ("卫生院", "PrimaryCareFacility", 3), ("卫生室", "PrimaryCareFacility", 3),
    ("卫生所", "PrimaryCareFacility", 3), ("中医馆", "PrimaryCareFacility", 0),
    # Care facilities
    ("医养结合服务中心", "CareFacility", 4), ("医养结合照护中心", "CareFacility", 4), ("医养中心", "CareFacility", 3),
    ("照护中心", "CareFacility", 4), ("康养结合中心", "CareFacility", 4), ("康养中心", "CareFacility", 4),
    ("养老服务中心", "CareFacility", 4), ("日间照料中心", "CareFacility", 4), ("月子中心", "CareFacility", 4),
    ("老年公寓", "CareFacility", 3), ("养老院", "CareFacility", 3), ("敬老院", "CareFacility", 3), ("福利院", "CareFacility", 3),
    # Medical alliances
    ("医疗共同体", "MedicalAlliance", 0), ("医共体", "MedicalAlliance", 0), ("医疗联合体", "MedicalAlliance", 0),
    ("医联体", "MedicalAlliance", 0), ("医疗集团", "MedicalAlliance", 3), ("专科联盟", "MedicalAlliance", 4),
    # Public health agencies
    ("疾病预防控制中心", "PublicHealthAgency", 0), ("疾控中心", "PublicHealthAgency", 0),
    ("卫生计生监督所", "PublicHealthAgency", 0), ("卫生监督所", "PublicHealthAgency", 0), ("综合执法支队", "PublicHealthAgency", 4),
    ("综合监督执法局", "PublicHealthAgency", 4), ("急救中心", "PublicHealthAgency", 2), ("中心血站", "PublicHealthAgency", 0),
    ("血站", "PublicHealthAgency", 0),
    # Academic institutions
    ("大学", "AcademicInstitution", 4), ("医学院", "AcademicInstitution", 4), ("学院", "AcademicInstitution", 5),
    ("研究院", "AcademicInstitution", 6), ("研究所", "AcademicInstitution", 6), ("科学院", "AcademicInstitution", 4),
    ("卫生学校", "AcademicInstitution", 3), ("卫校", "AcademicInstitution", 3), ("院士工作站", "AcademicInstitution", 10),
    # Enterprises
    ("股份有限公司", "Enterprise", 12), ("有限责任公司", "Enterprise", 12), ("有限公司", "Enterprise", 12),
    ("集团", "Enterprise", 8), ("公司", "Enterprise", 10), ("大酒店", "Enterprise", 4), ("药业", "Enterprise", 4),
    # Government bodies
    ("卫生健康体育委员会", "GovernmentBody", 0), ("卫生健康体育委", "GovernmentBody", 0),
    ("卫生和计划生育委员会", "GovernmentBody", 0), ("卫生计生委", "GovernmentBody", 0), ("卫计委", "GovernmentBody", 0),
    ("卫生健康委员会", "GovernmentBody", 0), ("卫生健康委", "GovernmentBody", 0), ("卫健委", "GovernmentBody", 0),
    ("人民政府办公厅", "GovernmentBody", 0), ("人民政府", "GovernmentBody", 0), ("政府", "GovernmentBody", 0),
    ("医疗保障局", "GovernmentBody", 0), ("医保局", "GovernmentBody", 0), ("发展和改革委员会", "GovernmentBody", 0),
    ("发改委", "GovernmentBody", 0), ("财政局", "GovernmentBody", 0), ("民政局", "GovernmentBody", 0),
    ("人力资源和社会保障局", "GovernmentBody", 0), ("人社局", "GovernmentBody", 0), ("科工信局", "GovernmentBody", 0),
    ("扶贫开发办公室", "GovernmentBody", 0), ("扶贫办", "GovernmentBody", 0), ("卫生局", "GovernmentBody", 0),
    ("公共资源交易中心", "GovernmentBody", 0),
    ("市场监督管理局", "GovernmentBody", 0), ("教育局", "GovernmentBody", 0), ("公安局", "GovernmentBody", 0),
    ("人大常委会", "GovernmentBody", 0), ("人大", "GovernmentBody", 0), ("政协", "GovernmentBody", 0),
    # A department named by its field: 民政部门 is the 民政局 of the place (lexicon/abbreviations.tsv).
    ("民政部门", "GovernmentBody", 0), ("财政部门", "GovernmentBody", 0), ("人社部门", "GovernmentBody", 0),
    ("人力资源社会保障部门", "GovernmentBody", 0), ("人力资源和社会保障部门", "GovernmentBody", 0),
    ("医保部门", "GovernmentBody", 0), ("医疗保障部门", "GovernmentBody", 0), ("卫生健康部门", "GovernmentBody", 0),
    ("教育部门", "GovernmentBody", 0), ("扶贫部门", "GovernmentBody", 0), ("发改部门", "GovernmentBody", 0),
    # Other bodies
    ("残疾人联合会", "Organization", 0), ("残联", "Organization", 0), ("红十字会", "Organization", 0),
    ("联合会", "Organization", 6), ("协会", "Organization", 6), ("学会", "Organization", 6), ("基金会", "Organization", 6),
    ("电视台", "Organization", 2), ("联合办公室", "Organization", 6),
    # Task forces and leading groups: 濮阳市医院提质升级工作领导小组, 市新冠肺炎疫情防控指挥部
    ("领导小组", "Organization", 0), ("指挥部", "GovernmentBody", 0), ("工作组", "GovernmentBody", 0), ("工作专班", "Organization", 0),
]  # fmt: skip
#: Type words whose proper part may be long when a place comes first.
LONG_CORE_AFTER_PLACE = {"领导小组": 20, "指挥部": 12, "工作组": 12, "工作专班": 12, "联合会": 8, "协会": 8, "学会": 8}

# Sub-units that may follow a body's name: 国家卫生计生委 + 科教司, 云南省卫生计生委 + 科教处.
_SUB_UNIT = re.compile(r"([\u4e00-\u9fff]{2,12}?)(中心|司|处|办公室|专家委员会|委员会)(?!员)")
# Proper parts that make a name a category: 县级医院, 二级以上综合医院, 定点医院.
_CATEGORY_WORDS = re.compile(
    r"^(?:县级|市级|省级|乡镇|乡级|村级|基层|一级|二级|三级|二级以上|公立|民营|私立|定点|综合|各级|城市|农村|城乡|所有|全部|"
    r"当地|上级|下级|周边|相关|有关|各类|标准化|区域|县域|医疗|医疗卫生|大型|新建|本地|省内|市内|国内|示范|重点|贫困|"
    r"专科|中医|西医|受援|支援|合作|签约|成员|龙头|牵头|后备|救治|隔离|发热|留观|指定|备用|临时|集中|优质|知名|"
    r"县乡|市县|省市|县区|县市区|乡村|对口|结对|帮扶|精神|妇产|儿童|一所|一家|中标|该|这家|本|全国|全省|全市|全县|各|"
    r"贫困村|行政村|村|中医药|[一二三]甲|[一二三]级[甲乙丙]等|三级妇幼|以上|以下|其他|其它|等级)+$"
)
# Party committees: 焦作市委, 县委 (but not 市委员会 of something else, nor 市委常委会).
_PARTY = re.compile(r"委(?!员|常|会)")

_MATCHER = KeywordMatcher({s: (s, cls, core) for s, cls, core in SUFFIXES})

#: Longest proper part between a place and the type word, by class.
MAX_CORE_AFTER_PLACE = {
    "Hospital": 8, "PrimaryCareFacility": 8, "CareFacility": 8, "MedicalAlliance": 8, "PublicHealthAgency": 6,
    "AcademicInstitution": 12, "Enterprise": 12, "GovernmentBody": 2, "Organization": 10,
}  # fmt: skip
#: Classes whose type word is distinctive enough to name a body with no place before it.
NAMES_WITHOUT_PLACE = {"Enterprise", "AcademicInstitution", "Organization"}
# A type word followed by these is part of a longer common word: 集团化, 医学院校, 医院内.
_NOT_A_NAME_END = re.compile(r"[化校内外性式]")


@register("kg.rules.organizations.v1")
def find(text: str, context: Context) -> list[Mention]:
    """Organisation mentions in ``text``; ``context.regions`` must be filled first."""
    anchors = _anchors(text, context)
    found: list[Mention] = []
    for s, e, (suffix, cls, max_core) in _MATCHER.find(text):
        if suffix == "院" and not _hospital_院(text, s) or _NOT_A_NAME_END.match(text, e):
            continue
        mention = _name_before(text, s, e, cls, max_core, anchors, found)
        if mention is None and suffix in DEPARTMENTS and context.region is not None and _bare_at_boundary(text, s):
            mention = _of_the_articles_place(s, e, context.region, DEPARTMENTS[suffix])
        if mention is not None:
            found.append(mention)
    found += _party_committees(text, context)
    found += _task_forces(text, context)
    found += _listed_departments(text, context)
    found += _listed_centres(text)
    found += _terms(text)
    found = _extend_sub_units(text, _longest(found))
    return found


def _anchors(text: str, context: Context) -> dict[int, tuple[int, object]]:
    """Places a name may start with, by start offset: regions, countries, 国家/中国/全国/中共,
    and one-character relative prefixes (市, 县, 省, 区) at a word boundary."""
    anchors: dict[int, tuple[int, object]] = {}
    for m in context.regions:
        if not m.relative:
            anchors[m.start] = (m.end, m.region or m.label)
    for s, e, country in KeywordMatcher({c: c for c in words().countries}).find(text):
        anchors.setdefault(s, (e, country))
    for match in re.finditer(r"国家|中国|全国|中共|中央", text):
        anchors.setdefault(match.start(), (match.end(), match.group()))
    for match in re.finditer(r"[省市县区]", text):
        i = match.start()
        relative = i not in anchors and left_boundary(text, i) and not after_count(text, i)
        if relative and text[i + 1 : i + 2] not in _NOT_AFTER_RELATIVE and not _inside_anchor(anchors, i):
            anchors[i] = (i + 1, match.group())
    return anchors


# 县级, 市直, 省城, 县乡, 县区: the one-character prefix is an adjective, not a place.
_NOT_AFTER_RELATIVE = set("级乡区直属域内外里县市镇城")


def _inside_anchor(anchors: dict[int, tuple[int, object]], i: int) -> bool:
    return any(s < i < e for s, (e, _) in anchors.items())


def _name_before(text: str, s: int, e: int, cls: str, max_core: int, anchors: dict, found: list[Mention]) -> Mention | None:
    """The full name ending with the type word ``text[s:e]``, or None for a category."""
    for start in range(max(0, s - 24), s):
        if start not in anchors:
            continue
        anchor_end, anchor = anchors[start]
        chain_end = _chain_end(anchor_end, anchors)
        core = text[chain_end:s]
        longest = LONG_CORE_AFTER_PLACE.get(text[s:e], MAX_CORE_AFTER_PLACE[cls])
        # A task force's name describes its task (医院提质升级工作领导小组): verbs are allowed in it.
        proper = _proper(core) if text[s:e] not in LONG_CORE_AFTER_PLACE else all(is_han(ch) or ch in "+“”" for ch in core) and not _FOUNDING.search(core) and not _LED_BY.search(core)
        if chain_end > s or len(core) > longest or not proper or _has_anchor(anchors, chain_end, s):
            continue
        if not _chain_ok(text, start, anchors):
            continue
        if after_count(text, start) or isinstance(anchor, str) and len(anchor) == 1 and not core and text[s:e] == "医院":
            return None  # 9家县人民医院; 县医院 alone is a category
        return Mention(start, e, cls, "organizations", anchor=anchor, anchor_end=anchor_end, score=0.85)
    # No place: a proper part right after a boundary, for distinctive type words, quoted
    # names (“禾暖月子中心”), and the later items of a list (安溪县桃溪卫生院、杏林卫生院;
    # 县卫生健康体育委员会、医疗保障局、民政局).
    previous = found[-1] if found else None
    placed = previous is not None and (previous.anchor is not None or "listed_after" in previous.extra)  # the list's place carries on
    if placed and previous.end == s - 1 and text[s - 1] in "、和及" and _top(previous.cls) == "Organization":
        return Mention(s, e, cls, "organizations", score=0.7, extra={"listed_after": previous})
    quoted = False
    for length in range(min(max(max_core, 4), s), 1, -1):
        start = s - length
        core = text[start:s]
        if not (_proper(core) and left_boundary(text, start)) or text[start] in MEASURE and after_count(text, start + 1):
            continue
        quoted = text[start - 1 : start] == "“" and text[e : e + 1] == "”"
        listed = bool(found) and found[-1].end == start - 1 and text[start - 1] in "、和及与" and found[-1].cls == cls
        if _CATEGORY_WORDS.match(core) or after_count(text, start) or core[-1] in "县市省区":
            return None
        if (cls in NAMES_WITHOUT_PLACE and length <= max_core) or quoted or listed:
            extra = {"listed_after": found[-1]} if listed else {}
            return Mention(start, e, cls, "organizations", score=0.8 if quoted else 0.7, extra=extra)
    return None


#: A government department's type words that, written alone (财政局, 民政部门, 发改委),
#: name the department of the place the article is about.
DEPARTMENTS = {
    suffix: cls for suffix, cls, _ in SUFFIXES
    if cls == "GovernmentBody" and suffix.endswith(("局", "委", "委员会", "办", "办公室", "部门", "交易中心")) and suffix not in ("人大常委会",)
    or suffix in ("残疾人联合会", "残联")
}
_LEVEL_WORD = {"Province": "省", "City": "市", "County": "县"}


def _bare_at_boundary(text: str, s: int) -> bool:
    """The type word starts a name of its own: after punctuation, a conjunction or 由/向/与."""
    return s == 0 or text[s - 1] in "，。；：、（“\n和与及由向同会" or text[s - 2 : s] in ("会同", "联合", "协调")


# 卫生健康、发改、财政、医保、民政等部门组成的…: fields listed before 等部门.
_FIELDS = re.compile(r"(?:(?<=[，；：由和与及])|^)((?:[\u4e00-\u9fff]{2,8}、)+[\u4e00-\u9fff]{2,8})等(?:相关|有关)?部门")


def _listed_departments(text: str, context: Context) -> list[Mention]:
    """Each field listed before 等部门 is the department of the article's place (发改 → 发展和改革委员会).

    >>> from kg import gazetteer
    >>> place = gazetteer.load().lookup("郑州市")[0]
    >>> [(m.start, m.end, m.extra["written_as"]) for m in _listed_departments("由卫生健康、财政等部门组成", Context(region=place))]
    [(1, 5, '卫生健康部门'), (6, 8, '财政部门')]
    """
    if context.region is None:
        return []
    result = []
    for match in _FIELDS.finditer(text):
        at = match.start(1) + (text[match.start(1)] in "由和与及")  # 由卫生健康、…: the list starts after the preposition
        for s, e in listed(text, at, match.end(1)):
            field = text[s:e]
            cls = DEPARTMENTS.get(field + "部门")
            mention = _of_the_articles_place(s, e, context.region, cls) if cls else None
            if mention is not None:
                mention.extra["written_as"] = field + "部门"  # how the resolver names it
                result.append(mention)
    return result


def _of_the_articles_place(s: int, e: int, region, cls: str = "GovernmentBody") -> Mention | None:
    """A department written alone, as the department of the article's place (its level's
    relative word is the anchor, so the resolver names it as it names 市财政局)."""
    word = _LEVEL_WORD.get(region.level)
    if word is None:
        return None
    return Mention(s, e, cls, "organizations", anchor=word, anchor_end=s, score=0.65, extra={"implied_place": True})


def _top(cls: str) -> str:
    from kg.ontology_terms import is_a

    return "Organization" if is_a(cls, "Organization") else cls


def _proper(core: str) -> bool:
    """A proper part: Chinese characters (digits only as in 9村), clean, and not a category."""
    if not core:
        return True
    if not all(is_han(ch) or ch.isdigit() and core[i + 1 : i + 2] in ("村", "号", "组") for i, ch in enumerate(core)):
        return False
    return clean_core(core) and not _CATEGORY_WORDS.match(core)


def _chain_end(end: int, anchors: dict) -> int:
    """Skip over places that follow each other (湖北省武汉市洪山区)."""
    while end in anchors and not (isinstance(anchors[end][1], str) and len(anchors[end][1]) == 1):
        end = anchors[end][0]
    return end


def _has_anchor(anchors: dict, start: int, end: int) -> bool:
    """True when another place starts inside ``[start, end)`` (two names, not one)."""
    return any(start <= a < end and not (isinstance(v, str) and len(v) == 1) for a, (_, v) in anchors.items())


def _chain_ok(text: str, start: int, anchors: dict) -> bool:
    """The name must begin at a word boundary (or right after another place)."""
    return left_boundary(text, start) or any(e == start for e, _ in anchors.values()) or text[start - 1 : start] in ("省", "市", "县", "区")


def _hospital_院(text: str, s: int) -> bool:
    """A bare 院 ends a hospital name only in 省中医院-like names: 市六院 (第六人民医院 shortened)."""
    return s >= 2 and text[s - 1] in "一二三四五六七八九十" and text[s - 2] in "市县省"


def _party_committees(text: str, context: Context) -> list[Mention]:
    """中共焦作市委员会 written 焦作市委 or 市委 (not 市委员会, 市委常委会)."""
    result = []
    ends = {m.end: m for m in context.regions if not m.relative and m.cls in ("Province", "City", "County")}
    for match in _PARTY.finditer(text):
        i = match.start()
        if i in ends and ends[i].label[-1:] in "省市县区":
            region = ends[i]
            result.append(Mention(region.start, i + 1, "GovernmentBody", "organizations", anchor=region.region or region.label, anchor_end=i, score=0.85, extra={"party": True}))
        elif i >= 1 and text[i - 1] in "省市县区" and left_boundary(text, i - 1) and not after_count(text, i - 1):
            result.append(Mention(i - 1, i + 1, "GovernmentBody", "organizations", anchor=text[i - 1], anchor_end=i, score=0.8, extra={"party": True}))
    return result


# Task forces and teams named by their task, with no place before them: 成立…的健康扶贫行动
# 指挥部, 成立疫情信息收集汇总专班, 天使减贫医疗服务队.
_TASK_FORCE = re.compile(r"领导小组|指挥部|工作组|工作专班|专班|工作队|服务队|医疗队")
_FOUNDING = re.compile(r"成立|组建|设立|召开|主持")
# 市委副书记任组长的医养中心建设领导小组: who leads it is not part of its name.
_LED_BY = re.compile(r"任(?:副)?组长|组成|的")
_TASK_FORCE_START = re.compile(rf"(?:(?:{_FOUNDING.pattern})了?|抽调|派出|选派|明确|同时|[建做抓]好|的|是|由|和|与|及|在|对|为)$")
#: Task forces of a government, named in full with the place of the article (a team or a
#: 专班 is not), and those that are organs of it (a 指挥部 or 工作组 of the city).
_GOVERNMENT_TASK_FORCES = ("领导小组", "指挥部", "工作组")
_GOVERNMENT_ORGANS = ("指挥部", "工作组")


def _task_forces(text: str, context: Context) -> list[Mention]:
    """Task forces and teams whose name starts after a clause boundary, 的 or 成立.

    >>> text = "成立疫情信息收集汇总专班；天使减贫医疗服务队到村"
    >>> [text[m.start:m.end] for m in _task_forces(text, Context())]
    ['疫情信息收集汇总专班', '天使减贫医疗服务队']
    """
    result = []
    for match in _TASK_FORCE.finditer(text):
        s, e = match.span()
        start = s
        while start > max(0, s - 20) and (is_han(text[start - 1]) or text[start - 1] in "+") and not _TASK_FORCE_START.search(text[max(0, start - 3) : start]):
            start -= 1
        core = text[start:s]
        if len(core) < 2 or not (start == 0 or text[start - 1] in "，。；：、（“\n" or _TASK_FORCE_START.search(text[max(0, start - 3) : start])):
            continue
        if any(m.start <= start < m.end for m in context.regions) or _CATEGORY_WORDS.match(core) or core in ("专家", "医疗", "工作"):
            continue  # a name with a place is found by _name_before
        if match.group() in _GOVERNMENT_TASK_FORCES and context.region is not None:
            placed = _of_the_articles_place(start, e, context.region, "GovernmentBody" if match.group() in _GOVERNMENT_ORGANS else "Organization")
            if placed is not None:
                result.append(placed)
                continue
        result.append(Mention(start, e, "Organization", "organizations", score=0.7))
    return result


# Three or more centres listed after a clause boundary: …，生殖遗传中心、心血管治疗中心、脑卒中防治中心.
_CENTRE_LIST = re.compile(r"(?<=[，：；])[\u4e00-\u9fff与]{2,10}?中心(?:[、和][\u4e00-\u9fff与]{2,10}?中心){2,}")


def _listed_centres(text: str) -> list[Mention]:
    """Each centre of a list of three or more is a body of its own.

    >>> text = "打造，生殖遗传中心、心血管治疗中心和脑卒中防治中心"
    >>> [text[m.start:m.end] for m in _listed_centres(text)]
    ['生殖遗传中心', '心血管治疗中心', '脑卒中防治中心']
    """
    found = []
    for match in _CENTRE_LIST.finditer(text):
        at = match.start()
        for item in re.split("[、和]", match.group()):
            if not _CATEGORY_WORDS.match(item[:-2]):
                found.append(Mention(at, at + len(item), "Organization", "organizations", score=0.6))
            at += len(item) + 1
    return found


def _terms(text: str) -> list[Mention]:
    """Nationally known bodies from the lexicon (国务院, 国家卫生健康委)."""
    org_terms = {k: v for k, v in words().terms.items() if v[1] in _ORG_CLASSES}
    return [
        Mention(s, e, cls, "organizations", label=label, score=0.95)
        for s, e, (label, cls) in KeywordMatcher(org_terms).find(text)
    ]


_ORG_CLASSES = {"GovernmentBody", "Hospital", "PrimaryCareFacility", "CareFacility", "MedicalAlliance",
                "PublicHealthAgency", "AcademicInstitution", "Enterprise", "Organization"}  # fmt: skip


def _longest(mentions: list[Mention]) -> list[Mention]:
    """Drop mentions inside longer ones; of two overlapping, keep the longer."""
    kept: list[Mention] = []
    for m in sorted(mentions, key=lambda m: (-m.length, m.start)):
        if all(m.end <= k.start or m.start >= k.end for k in kept):
            kept.append(m)
    return sorted(kept, key=lambda m: m.start)


def _extend_sub_units(text: str, mentions: list[Mention]) -> list[Mention]:
    """国家卫生计生委 + 队伍建设和人才培训中心: a body's sub-unit is a body of its own,
    named with its parent, and takes the class of what it is (a 中心 of a commission is
    a government body)."""
    result = []
    for m in mentions:
        if m.cls == "GovernmentBody" and not m.extra.get("party"):
            match = _SUB_UNIT.match(text, m.end)
            if match and _sub_unit_core(match.group(1)) and not _CATEGORY_WORDS.match(match.group(1)):
                unit = match.group(2)
                cls = "Organization" if unit.endswith("委员会") and match.group(1) else "GovernmentBody"
                sub = Mention(m.start, match.end(), cls, "organizations", anchor=m.anchor, anchor_end=m.anchor_end, score=0.75, extra={"parent": m})
                result.append(sub)
                continue
        result.append(m)
    return result


def _sub_unit_core(core: str) -> bool:
    """A sub-unit's own name may join two parts with 和 (队伍建设和人才培训中心), never
    start or end with it (国家卫生计生委和省疾控中心 is two bodies).

    >>> _sub_unit_core("队伍建设和人才培训"), _sub_unit_core("和省疾控"), _sub_unit_core("建设区域医疗")
    (True, False, False)
    """
    parts = core.split("和")
    return len(parts) <= 2 and all(len(p) >= 2 and _unit_part(p) for p in parts)


def _unit_part(part: str) -> bool:
    """建设 is a noun inside a unit's name (队伍建设), a verb at its start (建设区域医疗中心)."""
    return clean_core(part) or not part.startswith("建设") and clean_core(part.replace("建设", ""))
