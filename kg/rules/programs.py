"""Programs and policies: lexicon terms, 《》 document titles, quoted names typed by the
noun after them, and unquoted names ending in a program or policy word.

>>> from kg.rules import Context
>>> def names(text):
...     return [(text[m.start:m.end], m.cls, m.label) for m in find(text, Context())]
>>> names("以“拜师结对”形式实施“春苗工程”，大力实施“369”人才工程")
[('“春苗工程”', 'Program', '春苗工程'), ('“369”人才工程', 'Program', '“369”人才工程')]
>>> names("焦作出台了《医养中心发展规划》，实施“先诊疗后付费”“七免一减两帮扶”等措施")
[('《医养中心发展规划》', 'Policy', '《医养中心发展规划》'), ('“先诊疗后付费”', 'Policy', '先诊疗后付费'), ('“七免一减两帮扶”', 'Policy', '七免一减两帮扶')]
>>> names("率先启动了消化道肿瘤筛查，做实家庭医生签约服务")
[('消化道肿瘤筛查', 'Program', '消化道肿瘤筛查'), ('家庭医生签约服务', 'Program', '家庭医生签约服务')]
"""

from __future__ import annotations

import re

from kg.lexicon import words
from kg.matching import KeywordMatcher
from kg.rules import Context, Mention, register
from kg.rules.text import BENEFICIARIES, HAN, OWN_NAME_ENDS, PUNCT, STOP_CHARS, STOP_WORDS, is_han, left_boundary, listed, quoted

# Nouns that make a quoted name a program, and keep the quotes in the label
# (“369”人才工程), or drop them (“双下沉”工作 → 双下沉).
PROGRAM_NOUNS_KEEP = ("人才培养工程", "人才工程", "工程", "项目", "行动计划", "计划", "服务", "签约服务", "网络", "平台", "服务平台", "战略", "培训", "试点", "筛查", "标准化建设", "系统")
PROGRAM_NOUNS_DROP = ("工作", "活动", "行动", "下乡义诊活动", "义诊活动", "专项行动")
# Nouns that make a quoted name a policy: descriptive ones (the label is the quoted text,
# “七免一减两帮扶”系列惠民政策 → 七免一减两帮扶) and name-forming ones (kept with the
# quotes: “五统一”标准, “一把手”责任制, “互联网+分级诊疗”健康扶贫模式).
POLICY_NOUNS = ("系列惠民政策", "惠民政策", "政策", "措施", "防控策略", "策略", "总体策略", "总要求", "要求", "原则", "方式", "理念", "方针")
POLICY_NOUNS_KEEP = ("标准", "责任制", "健康扶贫模式", "工作模式", "模式", "政策体系", "体系", "工作布局", "布局", "制度", "办法", "管理")
# Document titles that are policies: 《…办法》, 《…规划》.
# 省委、省政府关于促进中医药传承创新发展的意见: a document named without book-title marks.
# 制定了2020年度信阳市健康扶贫工作方案: a plan named by its year, without book-title marks.
_YEAR_PLAN = re.compile(r"(?<=制定|出台|印发|下发|发布|制订)了?(\d{4}年度?[^，。；、“”《》\n]{2,24}?(?:工作方案|实施方案|行动方案|工作计划|工作要点))")
_ABOUT = re.compile(r"关于[^《》“”，。；：\n]{4,40}?的(?:实施意见|指导意见|意见|通知|决定|若干措施|实施方案)")
_DOCUMENT = re.compile(r"《([^《》\n]{2,60}?(?:办法|方案|规划|意见|通知|条例|规定|指南|预案|制度|标准|纲要|决定|细则|规范|计划|报告|协议|措施|要点|法|建议|工作|政策))》")
_BACK_REFERENCE = re.compile(r"《(意见|通知|办法|方案|规划|条例|决定|规定|纲要)》")
# Verbs after which a quoted name is what is carried out.
_TRIGGER_BEFORE = re.compile(r"(?:实施|开展|推进|推行|落实|构建|打造|启动|建立|建设|创新|做实|执行|采取|采用|探索|坚持)(?:了|好|起)?$")
# Unquoted names ending in a program word; the left edge is found by scanning back.
_PROGRAM_END = re.compile(r"(?:工程|项目|筛查|试点|培训班|救治网|救治网络|签约服务|行动计划|专项行动|发展战略|振兴战略|保障网|健康圈|急救圈|健身圈|养老圈)")
_POLICY_END = re.compile(r"制度(?!化)")
_BUILD_END = re.compile(r"(?:中心|医共体|医联体|卫生室|卫生院|医院|平台|体系|网络|中医馆|机构)(?:基础设施)?(?:标准化|达标)?建设")
# Whole names that are categories, not names.
_GENERIC = re.compile(
    r"^(?:民生|重点|惠民|建设|相关|有关|各项|这项|该|此|本|新|各类|多项|一批|专项|配套|具体|基层|公共卫生|医疗|"
    r"扶贫|医保|工作|管理|实施|政策|保障|考核|监管|责任|长效|联动|公益|各级|省级|市级|县级|国家级|重大|"
    r"短板|提升|改造|基础|硬件|信息化|合作|共建|签约|重点专科|临床重点专科|中医重点专科|民生实事|试点|两项|两|三大|"
    r"早期|全人群|两项全人群|随机性|系统性|集中式|免费|两年免费|年度|现有|年度惠民|服务|延伸服务|临床专科|儿童保健|"
    r"定点|集中|分散式|碎片化|全覆盖|西扩|改扩建|工程|一号|慢性病(?=筛查)|新技术|新技术新|次|期|届|面授|线上|线下|机构)*"
    r"(?:工程|项目|筛查|试点|制度|政策|建设|服务|活动|培训班)$"
)


@register("kg.rules.programs.v1")
def find(text: str, context: Context) -> list[Mention]:
    """Program and Policy mentions in ``text``."""
    found = _terms(text) + _documents(text) + _quoted(text) + _unquoted(text) + _healthy_places(text) + _listed_projects(text)
    # The items of a list a kind sums up are whole: a longer name across two of them is not.
    items = _listed_kinds(text)
    found = [m for m in found if not any(m.start <= i.start and i.end <= m.end and m.length > i.length for i in items)]
    return _longest(found + items)


def _terms(text: str) -> list[Mention]:
    terms = {k: v for k, v in words().terms.items() if v[1] in ("Program", "Policy")}
    return [Mention(s, e, cls, "programs", label=label, score=0.9) for s, e, (label, cls) in KeywordMatcher(terms).find(text)]


def _documents(text: str) -> list[Mention]:
    found = [Mention(m.start(), m.end(), "Policy", "programs", label=m.group(0), score=0.9) for m in _DOCUMENT.finditer(text)]
    found += [
        Mention(m.start(), m.end(), "Policy", "programs", label=m.group(0), score=0.75)
        for m in _ABOUT.finditer(text)
        if not any(f.start <= m.start() < f.end for f in found)
    ]
    found += [Mention(m.start(1), m.end(1), "Policy", "programs", label=m.group(1), score=0.7) for m in _YEAR_PLAN.finditer(text)]
    found += [
        Mention(m.start(), m.end(), "Policy", "programs", label=m.group(0), score=0.6, extra={"back_reference": m.group(1)})
        for m in _BACK_REFERENCE.finditer(text)
    ]
    return found


def _quoted(text: str) -> list[Mention]:
    """A quoted name is a program or policy when a type noun follows it (“369”人才工程),
    when it ends with one (“春苗工程”), or when it is what a verb carries out and a
    list of such names follows (实施“先诊疗后付费”“七免一减两帮扶”等…措施)."""
    found: list[Mention] = []
    quotes = quoted(text)
    for index, (start, end, inner) in enumerate(quotes):
        if len(inner) < 2 or "，" in inner or "。" in inner:
            continue
        after = text[end : end + 10]
        noun = _noun_after(after)
        if noun:
            prefix, rest = after.split(noun, 1)
            if re.match("目标|任务|团队|队", rest) or any(ch in STOP_CHARS for ch in prefix.lstrip("的等")):
                noun = ""  # “看得起病…”的工作目标, “1+3”家庭签约服务团队, “四纵”即远程诊疗服务: no name
        if noun in POLICY_NOUNS or noun in PROGRAM_NOUNS_DROP:
            cls = "Policy" if noun in POLICY_NOUNS else "Program"
            found.append(Mention(start, end, cls, "programs", label=inner, score=0.75))
        elif (noun in PROGRAM_NOUNS_KEEP or noun in POLICY_NOUNS_KEEP) and not (noun == "筛查" and "、" in inner):
            cls = "Program" if noun in PROGRAM_NOUNS_KEEP else "Policy"
            if prefix.startswith("的") or noun == "管理" and not prefix:
                # “县带乡、乡带村”的人才带训模式, “十统一”管理: the quotation is the name.
                found.append(Mention(start, end, cls, "programs", label=inner, score=0.75))
                continue
            start = _quoted_left_edge(text, start) if noun in _MODIFIED_NOUNS else start
            label = text[start : end + len(prefix) + len(noun)]
            if prefix.endswith("新") and noun in ("模式", "健康扶贫模式", "工作模式", "体系"):
                label = label[: -len(noun) - 1] + noun  # …健康扶贫新模式: the name is the 模式
            found.append(Mention(start, end + len(prefix) + len(noun), cls, "programs", label=label, score=0.8))
        elif re.search(f"(?:{_PROGRAM_END.pattern})$", inner) and "、" not in inner and not _GENERIC.match(inner):
            found.append(Mention(start, end, "Program", "programs", label=inner, score=0.8))
        elif "、" not in inner and (_TRIGGER_BEFORE.search(text[max(0, start - 4) : start]) or _in_list(text, found, start)):
            cls = _class_of_list(text, quotes, index)
            if cls:
                found.append(Mention(start, end, cls, "programs", label=inner, score=0.65))
    return found


def _quoted_left_edge(text: str, start: int) -> int:
    """Where a quoted program name begins when words right before the quotation modify
    it (新生儿“两病”筛查, 家庭医生“十个一”签约服务, 互联网+健康扶贫“一卡通”项目):
    back to the nearest punctuation, stop word or place, at most eight characters.

    >>> text = "完成新生儿“两病”筛查，实施“369”人才工程，名科促名院、名院引名医“三名联动”平台，实施免费“两癌”项目"
    >>> [text[_quoted_left_edge(text, text.index(q)) :][:6] for q in ("“两病", "“369", "“三名", "“两癌")]
    ['新生儿“两病', '“369”人', '“三名联动”', '“两癌”项目']
    """
    left = _left_edge(text, start, 8)
    if left == start - 8 and not left_boundary(text, left):
        return start  # no word boundary within reach
    if text[left - 1 : left] == "、":
        return start  # 名科促名院、名院引名医“三名联动”平台: the last item of what it sums up
    while text.startswith(_MODIFIERS, left):
        left += 2  # 免费“两癌、两筛”项目: a word that describes it, not part of its name
    return left if start - left >= 2 else start


# Program nouns whose quoted names often follow words that are part of the name
# (新生儿“两病”筛查); before 工程, 战略 or 计划 such words are more often a slogan.
_MODIFIED_NOUNS = ("筛查", "项目", "服务", "签约服务", "系统", "平台", "网络", "标准化建设")
# Words before a quoted name that describe it rather than name it.
_MODIFIERS = ("免费", "重点", "各项", "多项", "年度", "惠民", "民生", "专项", "相关", "有关", "各类", "全新")


def _in_list(text: str, found: list[Mention], start: int) -> bool:
    """The quotation follows another quoted name in a list (实施“A”“B”“C”等措施)."""
    return bool(found) and text[found[-1].end - 1 : found[-1].end] == "”" and text[found[-1].end : start] in ("", "、", "和")


def _healthy_places(text: str) -> list[Mention]:
    """健康 + a place (+ 建设 or 行动) names that place's health campaign, after 健康中国:
    健康中原建设, 健康安阳建设, 健康漯河.

    >>> [m.label for m in _healthy_places("为健康中原建设注入活力，推进健康漯河、健康扶贫，建设健康濮阳信息平台")]
    ['健康中原建设', '健康漯河']
    """
    from kg import gazetteer

    found = []
    for match in re.finditer("健康", text):
        start = match.end()
        place = next((e for s, e, _ in gazetteer.load().find(text[start : start + 8]) if s == 0), 0)
        if not place and text.startswith(_NATIONAL_PLACES, start):
            place = 2
        if place:
            end = start + place
            if text.startswith(("建设", "行动"), end):
                end += 2
            elif end < len(text) and is_han(text[end]) and text[end] not in "、和与及等":
                continue  # 健康濮阳信息平台: the place names something longer
            found.append(Mention(match.start(), end, "Program", "programs", label=text[match.start() : end], score=0.8))
    return found


_NATIONAL_PLACES = ("中国", "中原")

# 落实免费婚前医学检查、农村待孕妇女增补叶酸…等国家基本公共卫生服务项目: what is listed
# before 等 and a kind of program is a program of that kind.
_KIND_AFTER_LIST = re.compile(r"等(?=[^的，。；、：“”《》\s]{0,12}?(?:项目|工程|行动))")


def _listed_kinds(text: str) -> list[Mention]:
    """The items of a list that a kind of program sums up (two items at least).

    >>> [m.label for m in _listed_kinds("落实免费婚前医学检查、出生缺陷产前筛查和新生儿疾病筛查等国家基本公共卫生服务项目")]
    ['免费婚前医学检查', '出生缺陷产前筛查', '新生儿疾病筛查']
    """
    found = []
    for match in _KIND_AFTER_LIST.finditer(text):
        start = max(text.rfind(mark, 0, match.start()) for mark in "，；：。！？“”《》（）\n") + 1
        first_end = text.find("、", start, match.start())
        for i in range(start, first_end - 2):  # 落实免费婚前医学检查, 有针对性地开展推拿: after the verb
            if text[i] in STOP_CHARS or text[i : i + 2] in STOP_WORDS:
                start = i + (1 if text[i] in STOP_CHARS else 2)
        spans = listed(text, start, match.start())
        if len(spans) < 2 or not all(4 <= e - s <= 20 and all(is_han(ch) for ch in text[s:e]) for s, e in spans):
            continue
        last_start, last_end = spans[-1]
        joined = text.rfind("和", last_start, last_end)
        if joined - last_start >= 4 and last_end - joined - 1 >= 4:  # …出生缺陷产前筛查和新生儿疾病筛查
            spans[-1:] = [(last_start, joined), (joined + 1, last_end)]
        found += [Mention(s, e, "Program", "programs", label=text[s:e], score=0.6) for s, e in spans]
    return found


# 将乡镇卫生院中医馆建设列入民生实事, 把提质升级列入全市十大民生实事: what a government
# lists among its projects for the people is a program.
_LISTED = re.compile(rf"(?:将|把)([{HAN}+]{{2,16}}?)(?:工作)?(?:纳入|列入|列为)[^，。；]{{0,10}}?(?:民生实事|民生工程|惠民工程)")


def _listed_projects(text: str) -> list[Mention]:
    """Programs named as a government's projects for the people.

    >>> [m.label for m in _listed_projects("洛阳市将远程医疗工作列入市级民生实事予以推进")]
    ['远程医疗']
    """
    found = []
    for match in _LISTED.finditer(text):
        name = match.group(1)
        if name[:2] in STOP_WORDS or name[0] in STOP_CHARS or _GENERIC.match(name) or re.match("[一二两三四五六七八九十几多]项", name):
            continue  # 将提升妇幼保障能力列入…: an aim, not a name; 将此项（两项筛查）…: a reference
        found.append(Mention(match.start(1), match.start(1) + len(name), "Program", "programs", label=name, score=0.7))
    return found


def _noun_after(after: str) -> str:
    """The type noun right after a quotation: up to six characters of modifiers, then the noun."""
    nouns = sorted(POLICY_NOUNS + POLICY_NOUNS_KEEP + PROGRAM_NOUNS_KEEP + PROGRAM_NOUNS_DROP, key=len, reverse=True)
    for skip in range(0, 7):
        head = after[skip:]
        if skip and (not after[skip - 1 : skip] or not is_han(after[skip - 1]) and after[skip - 1] not in "+"):
            break
        for noun in nouns:
            if head.startswith(noun):
                return noun
        if skip >= 1 and after[:skip].startswith(("等", "的")):
            continue
    return ""


def _class_of_list(text: str, quotes: list[tuple[int, int, str]], index: int) -> str:
    """For a run of quoted names after a verb (实施“A”“B”等健康扶贫措施), the class the
    noun after the run gives; a lone quoted name after 构建/打造 is a program."""
    last = index
    while last + 1 < len(quotes) and quotes[last + 1][0] - quotes[last][1] <= 1:
        last += 1
    after = text[quotes[last][1] : quotes[last][1] + 14]
    tail = re.match(r"^等?([\u4e00-\u9fff]{0,10}?)(措施|政策|制度|模式|服务|工程|项目|行动|活动)", after)
    if tail:
        return "Policy" if tail.group(2) in ("措施", "政策", "制度", "模式") else "Program"
    if last == index and re.match(r"^(?:[，。；、]|$)", after) and re.search(r"(?:构建|打造|建设|实施|开展|推进|启动)(?:了)?$", text[max(0, quotes[index][0] - 3) : quotes[index][0]]):
        return "Program"
    return ""


def _unquoted(text: str) -> list[Mention]:
    """Names like 消化道肿瘤筛查, 计划生育家庭住院护理扶助制度, 医养中心建设: the left
    edge is the nearest punctuation, stop word, number or place before the end word."""
    found = []
    for pattern, cls, min_core in ((_PROGRAM_END, "Program", 2), (_POLICY_END, "Policy", 4), (_BUILD_END, "Program", 1)):
        for match in pattern.finditer(text):
            if match.group() == "项目" and text[match.start() - 2 : match.start()] in ("工程", "计划"):
                continue  # X工程项目建设: the name is X工程, 项目 is the common noun
            built = match.group() == "试点" and text[match.start() - 2 : match.start()] == "建设"
            start = _left_edge(text, match.start() - 2 if built else match.start(), 14, strip_level=False)  # 医联体建设试点
            if start == match.start() - 14 and not left_boundary(text, start):
                continue  # no word boundary within reach: the name's start is unknown
            while match.group() == "培训班" and text[start - 1 : start] == "、":
                start = _left_edge(text, start - 1, 14, strip_level=False)  # 死因监测、肿瘤随访登记…技术培训班: one course on the topics listed
            if text[start : start + 2] in ("全市", "全县", "全省", "全区"):
                start += 2  # 全市贫困人口家庭医生签约服务: the place's whole, not the name
            if text[start - 1 : start + 1] in ("各地", "当地", "两地", "外地", "异地"):
                start += 1  # 各地医疗机构项目: 地 belongs to the word before
            if text[start : start + 2] == "小时":
                start += 2  # 1小时急危重症急救圈: the unit of a number left out of the name
            while start < match.start() and text[start] in "年为个项家所种度":
                start += 1  # 2018年两项筛查, 4个县域医疗中心建设, 年度惠民工程
            if text[start : start + 2] in ("县级", "市级", "省级"):
                start += 2  # 县级临床专科项目
            if text[start : start + 2] in _LEADING_VERBS and match.start() - start > 4:
                start += 2  # 持续完善住院医师规范化培训项目: 完善 is what is done to it
            if text[start : start + 2] == "服务" and match.group().endswith("战略") and match.start() - start >= 4:
                start += 2  # 服务乡村振兴战略: a strategy is served, 服务 is not its name
            served = BENEFICIARIES.match(text, start)
            if served and cls == "Program" and match.group() not in OWN_NAME_ENDS and match.start() - served.end() >= 2:
                start = served.end()  # 实现贫困人口家庭医生签约服务全覆盖: the group is who it serves
            body = _BODY_IN_NAME.search(text, start, match.start())
            if body and cls == "Program" and pattern is _PROGRAM_END:
                start = body.end()  # 第二中医院西扩工程: the body's own building work
            name = text[start : match.end()]
            core = text[start : match.start()]
            if len(core) < min_core or _GENERIC.match(name) or _GENERIC.match(core + "工程"):
                continue
            if text[match.end() : match.end() + 1] in ("费", "款", "资", "库", "组", "办", "部", "点", "率"):
                continue  # 项目费, 项目库, 项目组: a thing belonging to the program
            if text[match.end() : match.end() + 2] in ("质量", "进度", "安全"):
                continue  # 保证工程质量: the works, not a named program
            document = re.match(r"规划|标准|实施方案|方案", text[match.end() : match.end() + 4]) if pattern is _BUILD_END else None
            if document:  # 医养中心建设规划: the plan for the works is a policy
                found.append(Mention(start, document.end() + match.end(), "Policy", "programs", label=name + document.group(), score=0.6))
                continue
            joined = re.search(r"和(?=[^和]{4,}$)", name)
            if joined and _PROGRAM_END.search(name[: joined.start()][-3:]) and pattern is _PROGRAM_END:
                # 出生缺陷产前筛查和新生儿疾病筛查: two programs
                split = start + joined.start()
                found.append(Mention(start, split, cls, "programs", label=text[start:split], score=0.6))
                found.append(Mention(split + 1, match.end(), cls, "programs", label=text[split + 1 : match.end()], score=0.6))
                continue
            if joined and pattern is _BUILD_END and not re.search(f"(?:{_PROGRAM_END.pattern}|建设)$", name[: joined.start()]):
                start += joined.start() + 1  # 试点县和县域医疗中心建设: the works are what follows 和
                name = text[start : match.end()]
            found.append(Mention(start, match.end(), cls, "programs", label=name, score=0.6))
    return found


# Body names inside what precedes a program word: the program is the body's own works.
# A category (乡镇卫生院提升工程, 县级医院提质升级) is what the program works on, not its owner.
_BODY_IN_NAME = re.compile(r"(?<!乡镇)(?<!县级)(?<!市级)(?<!基层)(?<!公立)(?:医院|卫生院|中医院|保健院)(?!建设)")
# Verbs kept inside names (below) that still do not start one.
_LEADING_VERBS = ("完善", "健全", "强化", "深化", "优化")
# Verbs that also occur inside program names (提升工程, 建设项目) do not end a name.
_EDGE_WORDS = STOP_WORDS - {"提升", "改造", "扩建", "改建", "创建", "保障", "完善", "健全", "规范", "优化", "强化", "深化", "提高", "联合", "帮扶", "支援", "救治", "创新", "传承"}


def _left_edge(text: str, end: int, limit: int, strip_level: bool = True) -> int:
    """Scan back from ``end`` over name characters; stop at punctuation, stop characters,
    stop words, digits and place suffixes that end a preceding place name."""
    start = end
    while start > max(0, end - limit):
        ch = text[start - 1]
        if ch.isdigit() and text.startswith("分钟", start):
            while start > 0 and text[start - 1].isdigit():
                start -= 1  # 城市社区15分钟健康圈: the minutes are part of the name
            continue
        if text[start - 1 : start + 1] == "对口":
            start -= 1  # 对口支援项目: 对 starts a word here, it is no preposition
            continue
        if ch in PUNCT or ch in STOP_CHARS or ch in "元亿" or ch.isdigit() or not (is_han(ch) or ch.isalpha() or ch == "+"):
            break
        if text[start - 2 : start] in _EDGE_WORDS or text[start - 3 : start] in _EDGE_WORDS:
            break
        start -= 1
    # A leading place (安阳心脑血管病高危人群筛查) is who runs it, not part of the name.
    from kg import gazetteer

    for s, e, _ in gazetteer.load().find(text[start:end]):
        if s == 0:
            start += e
            break
    while strip_level and start < end and text[start] in "市县省区乡镇村级":
        start += 1
    return start


def _longest(mentions: list[Mention]) -> list[Mention]:
    kept: list[Mention] = []
    for m in sorted(mentions, key=lambda m: (-m.length, -m.score, m.start)):
        if all(m.end <= k.start or m.start >= k.end for k in kept):
            kept.append(m)
    return sorted(kept, key=lambda m: m.start)
