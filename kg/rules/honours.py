"""Accreditations (grades and reviews a body passes) and awards (prizes, honours, titles).

Accreditations are folded to one canonical form: 二甲, 二甲医院, 二级甲等医院 and
“二甲”验收评审 are all ``二级甲等医院评审``; a 复审 stays a 复审.

>>> from kg.rules import Context
>>> [(m.label, m.cls) for m in find("顺利通过三级甲等医院复审，成功通过“二甲”验收评审，荣获2019年全国脱贫攻坚奖", Context())]
[('三级甲等医院复审', 'Accreditation'), ('二级甲等医院评审', 'Accreditation'), ('全国脱贫攻坚奖', 'Award')]
"""

from __future__ import annotations

import re

from kg.rules import Context, Mention, register
from kg.rules.programs import _left_edge
from kg.rules.text import quoted

_NUMERAL = {"一": "一", "二": "二", "三": "三", "1": "一", "2": "二", "3": "三"}
_GRADE = re.compile(
    r"(?P<level>[一二三123])级(?P<grade>[甲乙丙])等(?:综合|中医|专科|妇幼)?(?:医院)?(?P<review>评审验收|验收评审|评审|复审|验收|标准)?"
)
_SHORT_GRADE = re.compile(r"“?(?P<level>[二三])(?P<grade>甲)”?(?:医院)?(?P<review>验收评审|评审验收|评审|复审|验收|标准|医院)?")
_MCH_GRADE = re.compile(r"(?P<level>[二三])级妇幼(?:保健院|医院)?(?P<review>评审|复审)")
# Verbs after which a bare grade is something passed: 创建二级甲等医院, 达到二甲标准.
_PASS_CONTEXT = re.compile(r"(?:通过|创建|创建成|创成|达到|晋升为|晋级为|升级为)[^，。]{0,6}$")

_AWARD_END = re.compile(r"(?:奖|名中医|示范单位|示范基地|示范区|示范县|示范市|先进单位|先进集体|先进个人|模范市|试点地区|创建单位|荣誉称号)")
_AWARD_BEFORE = re.compile(r"(?:荣获|获得|获评|获|授予|评为|被确定为|确定为|创建|成为|入选|命名为|当选为|当选)")
_GENERIC_AWARD = re.compile(r"^(?:一等奖|二等奖|三等奖|优秀奖|特等奖|金奖|银奖|铜奖|大奖|奖|以奖|奖励|嘉奖)$")


@register("kg.rules.honours.v1")
def find(text: str, context: Context) -> list[Mention]:
    """Accreditation and Award mentions in ``text``."""
    found = _accreditations(text) + _awards(text)
    found.sort(key=lambda m: m.start)
    return found


def _accreditations(text: str) -> list[Mention]:
    found = []
    taken: set[int] = set()
    for pattern, kind in ((_MCH_GRADE, "妇幼"), (_GRADE, "full"), (_SHORT_GRADE, "short")):
        for m in pattern.finditer(text):
            if taken & set(range(m.start(), m.end())):
                continue
            review = m.group("review") or ""
            if not review or review in ("标准", "医院"):
                # A bare grade is an accreditation only where something passes it.
                if not _PASS_CONTEXT.search(text[max(0, m.start() - 10) : m.start()]):
                    continue
            level = _NUMERAL[m.group("level")]
            if kind == "妇幼":
                label = f"{level}级妇幼医院{'复审' if review == '复审' else '评审'}"
            else:
                label = f"{level}级{m.group('grade')}等医院{'复审' if review == '复审' else '评审'}"
            found.append(Mention(m.start(), m.end(), "Accreditation", "honours", label=label, score=0.9))
            taken.update(range(m.start(), m.end()))
    return found


def _awards(text: str) -> list[Mention]:
    """Prize names ending in 奖 or a title word, after 荣获/获得/被授予…, and quoted
    honours after those verbs (荣获…“最美医生”)."""
    found = []
    for match in _AWARD_END.finditer(text):
        if text[match.end() : match.end() + 1] in ("励", "金", "状", "项", "杯") or match.group() == "奖" and text[match.start() - 1 : match.start()] in ("嘉", "奖", "以", "获", "颁"):
            continue
        start = _left_edge(text, match.start(), 16, strip_level=False)
        if match.group() == "奖" and match.start() - start < 2:
            # 2017年全省健康扶贫政策组织落实奖: a prize's name may hold verbs; it starts
            # after the year, the list comma or the verb of receiving.
            edge = re.search(r"(?:[，。；、：“]|\d年|荣获|获得|获)(?=[^，。；、：“]*$)", text[max(0, match.start() - 16) : match.start()])
            start = max(0, match.start() - 16) + edge.end() if edge else start
        # Strip a leading year and 第一批: 2016年全省健康扶贫先进单位 → 全省健康扶贫先进单位.
        head = re.match(r"^(?:\d{4}|年度?|为|第[一二三四五六七八九十\d]+批|首家|成功创建|创建|“)+", text[start : match.end()])
        if head:
            start += head.end()
        end = match.end()
        if re.search(r"(?:全国|全省|全市)“$", text[max(0, start - 3) : start]) and text[end : end + 1] == "”":
            start, end = start - 3, end + 1  # 全国“互联网+健康扶贫试点地区”: the level and quotes are the title's
        name = text[start:end]
        if len(name) < 4 or _GENERIC_AWARD.match(name):
            continue
        before = text[max(0, start - 12) : start]
        score = 0.85 if _AWARD_BEFORE.search(before) else 0.6
        if not name.endswith("奖") and score < 0.8:
            continue  # a title nobody is said to receive (全民运动健身模范市创建工作)
        found.append(Mention(start, end, "Award", "honours", label=name if name.endswith("”") else name.strip("“”"), score=score))
    for start, end, inner in quoted(text):
        if not _AWARD_END.search(inner) and 2 <= len(inner) <= 12 and not re.search("[，、。]", inner):
            if re.search(r"(?:荣获|授予|获得)[^，。“”]{0,12}$", text[max(0, start - 14) : start]):
                found.append(Mention(start, end, "Award", "honours", label=inner, score=0.7))
    return found
