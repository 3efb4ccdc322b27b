"""Relations between the entities of one sentence, found from trigger words.

A trigger (开展, 成立, 通过, 荣获, 投入…) links the agent before it to the entity
right after it; the class of that entity picks the property (实施 a Program is
``runs``, 实施 a Policy is ``implements``). The agent is the nearest suitable
entity before the trigger that is neither the object of an earlier trigger nor
governed by a preposition (在…指导下, 与, 对); entities listed after the first
object (A、B和C) are objects too. Money after 投入/投资 makes a Funding.

>>> from kg.rules import Mention
>>> text = "许昌市投入3400余万元建设急危重症三级救治网。"
>>> ms = [Mention(0, 3, "City", "regions", label="许昌市"), Mention(14, 23, "Program", "programs", label="急危重症三级救治网")]
>>> rels, funds = extract(text, ms, 0, len(text))
>>> [(r.head.label, r.prop, r.tail.label) for r in rels]
[('许昌市', 'funds', '急危重症三级救治网'), ('许昌市', 'runs', '急危重症三级救治网')]
>>> [(f.funder.label, f.amount.yuan, f.purpose) for f in funds]
[('许昌市', Decimal('34000000'), '急危重症三级救治网')]
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from typing import Iterator

from kg.lexicon import words
from kg.money import Amount, amounts, year_before
from kg.ontology_terms import PROPERTIES, fits
from kg import gazetteer
from kg.gazetteer import Region
from kg.rules import Mention
from kg.rules.text import BENEFICIARIES, OWN_NAME_ENDS

# Trigger -> properties it may express, in order of preference; the object's class decides.
TRIGGERS: dict[str, tuple[str, ...]] = {
    **dict.fromkeys(["开展", "打造", "运营", "启动", "举办", "主办", "承办", "做实", "谋划", "组织开展", "开通", "依托", "完善", "进行"], ("runs",)),
    **dict.fromkeys(["推进", "加强", "实行"], ("runs", "implements")),
    **dict.fromkeys(["构建"], ("runs", "issues")),
    **dict.fromkeys(["实施", "推行", "执行", "落实", "严格执行", "贯彻落实", "贯彻", "严格落实", "采取", "采用", "按照", "依据", "根据", "坚持", "探索建立", "推动", "抓", "抓好", "抓实", "利用"], ("implements", "runs")),
    **dict.fromkeys(["建设"], ("runs", "establishes")),
    **dict.fromkeys(["建成", "新建", "兴建", "筹建"], ("establishes", "runs")),
    **dict.fromkeys(["成立", "组建", "设立", "挂牌", "开设", "创办", "共建", "建立"], ("establishes", "issues")),
    **dict.fromkeys(["出台", "制定", "印发", "发布", "起草", "研究起草", "研究制定", "提交", "提出", "出台了"], ("issues",)),
    **dict.fromkeys(["创建", "创建成", "达到", "晋升为", "成功创建"], ("passed", "received")),
    **dict.fromkeys(["通过"], ("passed", "received", "implements")),  # 通过“统一招标、集中采购”的方式
    **dict.fromkeys(["荣获", "获得", "获", "被授予", "授予", "被确定为", "确定为", "被评为", "评为", "获评", "成为"], ("received",)),
    **dict.fromkeys(["对口支援", "对口帮扶", "支援", "驰援", "结对帮扶", "援助", "帮扶"], ("supports",)),
    **dict.fromkeys(["纳入", "加入"], ("memberOf",)),
    **dict.fromkeys(["牵手"], ("partnersWith",)),
}
_TRIGGER = re.compile("|".join(sorted(map(re.escape, TRIGGERS), key=len, reverse=True)))
# Between a trigger and its object: aspect particles, adverbs, counts, what it sums up
# (制定“管理、标准、流程”等“五统一”标准).
_GAP = re.compile(r"^(?:了|着|起|好|出|成|为|的|一批|一个|一所|全市|全县|全省|全国|第一批|[“《]|\d{4}年度?|\d+[个家所项]|[一二三四五六七八九十两]+[个家所项]|“[^“”]{1,30}”等)*$")
# What describes a body before its name: 由副市长孙晓红任组长，…等部门组成的.
_MADE_UP = re.compile(r"了?[^。；“”]{2,40}?(?:任组长|任副组长|组成|牵头)的")
# Words that join listed objects.
_LIST_JOIN = re.compile(r"^(?:、|和|及|以及|与|，以及|”“|》《|”、“|》、《)(?:\d{4}年度?)?$")
# Prepositions that make the entity after them something other than the agent.
_NOT_AGENT_BEFORE = re.compile(r"(?:在|以|与|和|同|对|向|为|给|把|将|跟|到|赴|经过|通过|依托|借助|会同|联合|根据|按照|对口|帮助|帮扶|支援|深入|前往|走进|来到|立足|围绕|结合|针对|面向|覆盖)$")
# Words before an amount that make the sentence's agent its funder: 累计投入, 拨付专项资金.
_FUNDING_TRIGGER = re.compile(r"(?:累计|共|总共|先后|分别|再)?(?:投入|投资|拨付|筹措|筹集|出资|注入资金|争取|安排|补助|资助)(?:了|资金|建设资金|财政资金|专项资金)*$")


@dataclass
class Relation:
    head: Mention
    prop: str
    tail: Mention | None  # None when the tail is a literal
    literal: str = ""
    confidence: float = 0.7
    trigger: str = ""
    literal_start: int = -1  # where a literal tail is written, when known

    @property
    def position(self) -> int:
        """Where the sentence that states it is: at its first end, or at the tail when
        the head is the document's author, named elsewhere (an implied agent)."""
        tail = self.tail.start if self.tail is not None else self.literal_start
        if self.trigger == "implied" or self.tail is None and tail >= 0:
            return tail if tail >= 0 else self.head.start
        return min(self.head.start, tail) if tail >= 0 else self.head.start


@dataclass
class Funding:
    amount: Amount
    funder: Mention | None
    recipient: Mention | None
    purpose: str
    year: int | None
    confidence: float = 0.7


_CARRIED_OUT = re.compile(r"》?并(?:组织|认真|全面)?(?:实施|落实|执行)")


def extract(text: str, mentions: list[Mention], start: int, end: int) -> tuple[list[Relation], list[Funding]]:
    """Relations and fundings stated in the sentence ``text[start:end]``; ``mentions`` are
    the resolved entity mentions of the whole text (only those inside the sentence count)."""
    inside = sorted((m for m in mentions if m.start >= start and m.end <= end), key=lambda m: m.start)
    relations: list[Relation] = []
    objects: set[int] = set()
    for match in _TRIGGER.finditer(text, start, end):
        if any(m.start <= match.start() < m.end for m in inside):
            continue  # the trigger word is inside a name
        tails = _objects(text, inside, match.end())
        for tail in tails:
            prop = _property(TRIGGERS[match.group()], tail.cls)
            if prop is None:
                continue
            head = _agent(text, inside, match.start(), prop, objects, start)
            if text[match.end() : match.end() + 1] == "的":  # 在南阳市卫生健康委员会举办的“医德医风提升年”演讲比赛中
                head = next((m for m in inside if m.end == match.start() and fits(m.cls, PROPERTIES[prop][0]) and m.cls != "Person"), head)
            if head is None or head is tail or head.label == tail.label:
                continue
            relations.append(Relation(head, prop, tail, confidence=0.75, trigger=match.group()))
        objects.update(id(t) for t in tails)
        if tails:  # 落实新时代漯河经济社会发展“…”: a place describing the object acts in nothing
            objects.update(id(m) for m in inside if match.end() <= m.start < tails[0].start)
    # 出台医养中心建设规划并组织实施: who issues a document and then carries it out implements it.
    relations += [Relation(r.head, "implements", r.tail, confidence=0.7, trigger="并实施") for r in relations if r.prop == "issues" and _CARRIED_OUT.match(text, r.tail.end)]
    relations += _means(text, inside, start, end, objects)
    relations += _made_part_of(text, inside, start, end, objects)
    relations += _own_work(text, inside)
    relations += _as_program(text, inside)
    relations += _completed(text, inside, start, objects)
    relations += _winners(text, inside, start, end)
    relations += _guided(text, inside, start, end)
    relations = _with_co_agents(text, inside, relations)
    relations += _partners(text, inside, start, end)
    relations += _members(text, inside, start, end)
    relations += _helped(text, inside, start, end, objects)
    relations += _targets(text, inside, start, end)
    relations += _brought_to_all(text, inside, start, end, objects)
    relations += _issuers(text, inside)
    relations += _campaigns(text, inside)
    relations += _leaders(text, inside)
    relations += _chairs(text, inside)
    fundings, funds = _fundings(text, inside, start, end, objects)
    relations = funds + relations
    return unique(relations), fundings


def _property(candidates: tuple[str, ...], cls: str) -> str | None:
    for prop in candidates:
        if fits(cls, PROPERTIES[prop][1]):
            return prop
    return None


def _objects(text: str, inside: list[Mention], after: int) -> list[Mention]:
    """The entity right after a trigger and the ones listed with it."""
    following = [m for m in inside if m.start >= after]
    if not following:
        return []
    # 成立了由副市长孙晓红任组长，…等部门组成的健康扶贫行动指挥部: a body after who leads or makes it up.
    body = next((m for m in following if fits(m.cls, ("Organization",)) and _MADE_UP.fullmatch(text[after : m.start])), None)
    if body is not None:
        following = following[following.index(body) :]
    elif not _GAP.match(text[after : following[0].start]):
        # 落实新时代漯河经济社会发展“四三二一”工作布局: a quoted name may come after what
        # describes it (places included).
        quoted = next((m for m in following if text[m.start] == "“"), None)
        if quoted is None or not re.fullmatch(r"[^，。；：“”]{0,24}", text[after : quoted.start]):
            return []
        following = following[following.index(quoted) :]
    # 推进嵩县、伊川县4个县域医疗中心建设: the places say where; the object comes after them.
    places = 0
    while places < len(following) and fits(following[places].cls, ("Region",)):
        places += 1
    if 0 < places < len(following) and re.match(r"^(?:等)?\d+个$", text[following[places - 1].end : following[places].start]):
        following = following[places:]
    # 举办了全县死因监测…培训班: the whole place before a name says where, it is not the object.
    if len(following) > 1 and text[following[0].start : following[0].end] in ("全县", "全市", "全省", "全区") and following[1].start == following[0].end:
        following = following[1:]
    # 贯彻中共中央、国务院关于…的意见: the bodies say who issued it; the document is the object.
    if fits(following[0].cls, ("Organization",)):
        issuers_end = _listed_from(text, inside, following[0], ("Organization",))[-1].end
        document = next((m for m in following if m.start >= issuers_end), None)
        if document is not None and document.cls == "Policy" and text[issuers_end : document.start] in _ISSUED_BY:
            following = following[following.index(document) :]
    result = [following[0]]
    for previous, current in zip(following, following[1:]):
        if not _LIST_JOIN.match(text[previous.end : current.start]) and text[previous.end : current.start] not in ("", "等"):
            break
        if text[previous.end : current.start] in ("", "等") and current.cls != previous.cls:
            break  # 实施“A”“B”等健康扶贫措施: what follows 等 describes the list
        result.append(current)
    return result


def _agent(text: str, inside: list[Mention], trigger_start: int, prop: str, objects: set[int], sentence_start: int) -> Mention | None:
    """The nearest entity before the trigger that can do ``prop`` and is free to."""
    domain = PROPERTIES[prop][0]
    passive = re.search(r"由([^，。]{2,40})(?:主办|承办|举办|牵头)", text[sentence_start:trigger_start + 2])
    for m in reversed([m for m in inside if m.end <= trigger_start]):
        if id(m) in objects or not fits(m.cls, domain) and not (m.cls == "Person" and prop == "received"):
            continue
        # 到北舞渡镇蒿庄村开展, 向市委、市政府提出: look before the whole chain of places
        # or listed bodies for the preposition.
        chain_start = m.start
        while True:
            joined = next((p for p in inside if fits(p.cls, ("Region",)) and p.end == chain_start or p.cls != "Person" and text[p.end : chain_start] in ("、", "和")), None)
            if joined is None or joined.start >= chain_start:
                break
            chain_start = joined.start
        before = text[max(sentence_start, chain_start - 4) : chain_start]
        if _NOT_AGENT_BEFORE.search(before) and not (passive and "由" in before):
            continue
        if before.endswith("被"):  # 驻马店市…被工信部、国家卫生健康委授予: the subject, not the giver
            continue
        if m.cls == "Person" and prop != "received":
            continue
        if m.extra.get("party") and isinstance(m.anchor, Region) and re.match("副?书记", text[m.end : m.end + 3]) and fits(m.anchor.level, domain):
            return _party_region(m)  # 焦作市委书记王小平…成立: the secretary acts for the city
        return m
    return None


def _party_region(m: Mention) -> Mention | None:
    """The region a party committee mention belongs to, as a mention: 焦作市 of 焦作市委;
    the article's city of 市委 (its prefix), written 市."""
    if isinstance(m.anchor, Region):
        return Mention(m.start, m.start + len(m.anchor.name), m.anchor.level, "regions", label=m.anchor.name, region=m.anchor)
    region = next(iter(gazetteer.load().lookup(m.extra.get("prefix", ""))), None)
    if region is None or not m.anchor_end:
        return None
    return Mention(m.start, m.start + m.anchor_end, region.level, "regions", label=region.name, region=region, relative=str(m.anchor))


# 以医养中心建设为突破口: what a region or body takes as its lever is what it runs.
_MEANS = re.compile(r"以$")
_MEANS_AFTER = re.compile(r"^(?:新?模式)?为(?:突破口|抓手|载体|切入点|着力点|重点|龙头|核心|引领|主线|支撑|主体|依托|平台|契机)")


def _means(text: str, inside: list[Mention], start: int, end: int, objects: set[int]) -> list[Relation]:
    result = []
    for m in inside:
        if m.cls not in ("Program", "Policy") or text[m.start - 1 : m.start] != "以" or not _MEANS_AFTER.match(text[m.end : m.end + 8]):
            continue
        prop = "runs" if m.cls == "Program" else "implements"
        head = _agent(text, inside, m.start - 1, prop, objects, start)
        if head is not None:
            result.append(Relation(head, prop, m, confidence=0.7, trigger="以…为"))
    return result


# 作为对口支援项目，广西壮族自治区卫生健康委…; 作为健康扶贫牵头部门，郑州市卫生健康委…
_AS_PROGRAM = re.compile(r"(?:的)?(?:牵头部门|牵头单位|责任单位|主管部门)?，")


def _as_program(text: str, inside: list[Mention]) -> list[Relation]:
    """作为X项目，Y…: the body the sentence goes on about runs the program it opens with."""
    result = []
    for program, body in zip(inside, inside[1:]):
        if program.cls != "Program" or text[program.start - 2 : program.start] != "作为":
            continue
        gap = _AS_PROGRAM.fullmatch(text, program.end, body.start)
        if gap and body.cls != "Person" and fits(body.cls, PROPERTIES["runs"][0]):
            result.append(Relation(body, "runs", program, confidence=0.7, trigger="作为"))
    return result


def _own_work(text: str, inside: list[Mention]) -> list[Relation]:
    """许昌市健康扶贫工作多次受到表彰: a place's or body's program work is a program it runs."""
    result = []
    for owner, program in zip(inside, inside[1:]):
        if program.cls == "Program" and owner.end == program.start and text[program.end : program.end + 2] == "工作" and fits(owner.cls, PROPERTIES["runs"][0]):
            result.append(Relation(owner, "runs", program, confidence=0.65, trigger="X…工作"))
    return result


# A list's join, or an item of it that is not an entity (、儿童医疗中心、).
_LIST_JOIN_OR_ITEM = re.compile(rf"{_LIST_JOIN.pattern}|^、[^，。；、]{{2,12}}、\Z")
_COMPLETED = re.compile(r"(?:等)?(?:[\d一二三四五六七八九十两]+[个家所][^，。；、]{0,4})?(?:已|均已|均|相继|先后|也?将于[^，。；]{1,4})?(?:建成使用|建成投用|建成投入使用|投入使用|建成|挂牌|揭牌|落成)")


def _completed(text: str, inside: list[Mention], start: int, objects: set[int]) -> list[Relation]:
    """生殖遗传中心、心血管治疗中心…七个中心已建成使用, …妇幼保健院建成投用: the bodies listed
    as completed were founded by the agent before the list; a second list in the sentence
    (…已建成使用，A、B也将于明年挂牌) by the same agent."""
    result: list[Relation] = []
    for i, last in enumerate(inside):
        if not fits(last.cls, ("Organization",)) or not _COMPLETED.match(text, last.end):
            continue
        listed = list(itertools.takewhile(lambda m: fits(m.cls, ("Organization",)), _listed_before(text, inside[: i + 1], _LIST_JOIN_OR_ITEM)))
        agent = _agent(text, inside, listed[-1].start, "establishes", objects, start)
        if (agent is None or not fits(agent.cls, ("Region", "GovernmentBody"))) and result:
            agent = result[-1].head
        if agent is not None and fits(agent.cls, ("Region", "GovernmentBody")):
            result += [Relation(agent, "establishes", m, confidence=0.65, trigger="建成") for m in reversed(listed)]
    return result


def _made_part_of(text: str, inside: list[Mention], start: int, end: int, objects: set[int]) -> list[Relation]:
    """焦作市委、市政府把医养中心建设纳入重大民生实事: what a body puts into its plans, it runs."""
    result = []
    for m in inside:
        if m.cls == "Program" and text[m.start - 1 : m.start] in ("把", "将") and re.match(r"^[^，。；]{0,4}(?:纳入|列入|列为)", text[m.end : m.end + 8]):
            head = _agent(text, inside, m.start - 1, "runs", objects, start)
            if head is not None:
                result.append(Relation(head, "runs", m, confidence=0.65, trigger="把…纳入"))
    return result


def _winners(text: str, inside: list[Mention], start: int, end: int) -> list[Relation]:
    """开封市中医院成为…首家“市长质量奖”获得者: the body received the award."""
    result = []
    for m in inside:
        if m.cls == "Award" and re.match(r"^”?获得者", text[m.end : m.end + 4]):
            before = text[start : m.start]
            trigger = before.rfind("成为")
            if trigger >= 0 and "，" not in before[trigger:]:
                head = _agent(text, inside, start + trigger, "received", set(), start)
                if head is not None:
                    result.append(Relation(head, "received", m, confidence=0.75, trigger="成为…获得者"))
    return result


# 在河南省卫生健康委的大力指导和支持下，焦作市…: the guide supports the subject.
_GUIDED = re.compile(r"在(?P<body>[^，。；]{2,40}?)(?:的)?(?:大力|精心|悉心)?(?:指导|帮助|支持)(?:和(?:大力)?(?:支持|帮助|指导))?下，?")


def _guided(text: str, inside: list[Mention], start: int, end: int) -> list[Relation]:
    result = []
    for match in _GUIDED.finditer(text, start, end):
        guides = [m for m in inside if match.start("body") <= m.start and m.end <= match.end("body") and fits(m.cls, ("Organization", "Region"))]
        after = [m for m in inside if m.start >= match.end() and fits(m.cls, ("Organization", "Region"))]
        before = [m for m in inside if m.end == match.start() and fits(m.cls, ("Organization", "Region"))]
        guided = after[0] if after and after[0].start - match.end() <= 4 else before[0] if before else None
        if guides and guided is not None:  # 在…指导下，焦作市…; 濮阳市卫生健康委在…指导下
            result.append(Relation(guides[-1], "supports", guided, confidence=0.65, trigger="在…指导下"))
    return result


def _with_co_agents(text: str, inside: list[Mention], relations: list[Relation]) -> list[Relation]:
    """濮阳市委、市政府…成立…: the bodies listed with the agent act with it."""
    result = list(relations)
    for r in relations:
        if r.prop in ("leads", "locatedIn", "partnersWith"):
            continue
        for m in inside:
            between = text[m.end : r.head.start] if m.end <= r.head.start else text[r.head.end : m.start]
            if m is not r.head and between in ("、", "和") and fits(m.cls, PROPERTIES[r.prop][0]) and m.cls != "Person" and m is not r.tail:
                result.append(Relation(m, r.prop, r.tail, confidence=r.confidence - 0.05, trigger=r.trigger))
    return result


def _partners(text: str, inside: list[Mention], start: int, end: int) -> list[Relation]:
    """X与Y合作/共建/签署…协议/签订…协议: X partnersWith Y."""
    result = []
    for match in re.finditer(r"与", text[start:end]):
        at = start + match.start()
        after = [m for m in inside if m.start == at + 1 and fits(m.cls, ("Organization",))]
        before = [m for m in inside if m.end == at and fits(m.cls, ("Organization",))]
        if not after or not before:
            continue
        rest = text[after[0].end : min(end, after[0].end + 30)].split("，")[0]
        if re.search(r"合作|共建|签署|签订|结对|牵手", rest):
            result.append(Relation(before[0], "partnersWith", after[0], confidence=0.7, trigger="与…合作"))
    # 郑州市卫生健康委…会同市残联、扶贫办分别制定政策: the agent works with each body listed.
    for match in re.finditer(r"会同|联合", text[start:end]):
        at = start + match.start()
        first = next((m for m in inside if m.start == at + 2 and fits(m.cls, ("Organization",))), None)
        agent = _agent(text, inside, at, "partnersWith", set(), start)
        if first is None or agent is None:
            continue
        for m in _listed_from(text, inside, first, ("Organization",)):
            if m.label != agent.label:
                result.append(Relation(agent, "partnersWith", m, confidence=0.65, trigger=match.group()))
    return result


def _listed_from(text: str, inside: list[Mention], first: Mention, cls: tuple[str, ...]) -> list[Mention]:
    """``first`` and the entities listed right after it (A、B和C)."""
    result = [first]
    for m in inside:
        if m.start > result[-1].end:
            if _LIST_JOIN.match(text[result[-1].end : m.start]) and fits(m.cls, cls):
                result.append(m)
            else:
                break
    return result


def _members(text: str, inside: list[Mention], start: int, end: int) -> list[Relation]:
    """…领导小组，由…任组长，县卫生健康体育委员会、医疗保障局…等为成员: the bodies listed
    before 为成员 are members of the task force named last before them, and so are those
    listed before 等部门组成的 of the one named after; 信阳市卫生健康委作为市健康扶贫行动
    工作组牵头单位: a body that leads a group is in it."""
    result = []
    for match in re.finditer(r"等?(?:为|作为)成员(?:单位)?", text[start:end]):
        at = start + match.start()
        listed = [m for m in inside if m.end <= at and fits(m.cls, ("Organization",))]
        group = next((m for m in reversed(listed) if m.label.endswith(("小组", "指挥部", "工作组", "专班"))), None)
        if group is None or listed[-1] is group:
            continue
        members = _listed_before(text, listed)  # the list that ends before 为成员
        for m in reversed(members[: members.index(group)] if group in members else members):
            result.append(Relation(m, "memberOf", group, confidence=0.7, trigger="为成员"))
    for match in re.finditer(r"等(?:相关|有关)?部门(?:共同)?组成的", text[start:end]):  # 卫生健康、发改…等部门组成的指挥部
        at, after = start + match.start(), start + match.end()
        before = [m for m in inside if m.end <= at]
        group = next((m for m in inside if m.start == after and fits(m.cls, ("Organization",))), None)
        if group is not None and before and before[-1].end == at:
            result += [Relation(m, "memberOf", group, confidence=0.7, trigger="等部门组成") for m in reversed(_listed_before(text, before)) if fits(m.cls, ("Organization",))]
    for match in re.finditer(r"作为", text[start:end]):
        at = start + match.start()
        body = next((m for m in inside if m.end == at and fits(m.cls, ("Organization",))), None)
        group = next((m for m in inside if m.start == at + 2 and fits(m.cls, ("Organization",))), None)
        if body and group and re.match(r"^(?:的)?(?:牵头|成员)单位", text[group.end : group.end + 6]):
            result.append(Relation(body, "memberOf", group, confidence=0.7, trigger="作为…单位"))
    return result


# 加强信阳市中心医院对固始县人民医院的对口帮扶, 加强对固始县、淮滨县的督促指导, 选择百色、河池为
# 帮扶对象: the helper supports them.
_HELP = re.compile(r"^的?(?:对口帮扶|对口支援|帮扶|支援|督促指导|业务指导|技术指导|指导)|^为(?:重点)?(?:对口)?(?:帮扶|支援)对象")


def _helped(text: str, inside: list[Mention], start: int, end: int, objects: set[int]) -> list[Relation]:
    result = []
    for match in re.finditer("对|选择|确定", text[start:end]):  # 对…帮扶; 选择百色、河池为帮扶对象
        at = start + match.start()
        first = next((m for m in inside if m.start == start + match.end() and fits(m.cls, ("Organization", "Region"))), None)
        if first is None:
            continue
        helped = _listed_from(text, inside, first, ("Organization", "Region"))
        if not _HELP.match(text[helped[-1].end : helped[-1].end + 6]):
            continue
        helper = next((m for m in inside if m.end == at and fits(m.cls, ("Organization", "Region"))), None)
        helper = helper or _agent(text, inside, at, "supports", objects, start)
        for m in helped:
            if helper is not None and helper.label != m.label:
                result.append(Relation(helper, "supports", m, confidence=0.65, trigger=f"{match.group()}…帮扶"))
    return result


# Who a program or policy is for: a group of people, villages or clinics, written out.
_GROUP = r"[^，。；：！？“”《》（）()]{2,20}?(?:人口|人群|居民|患者|群众|贫困户|家庭|人员|老人|儿童|妇女|孕产妇|学生|村|卫生室|医疗(?:卫生)?机构|县、市)"
_GROUP_WORDS = re.compile(r"^(?:了|将|把|对|每家|每个|每名|所有|全部|全市|全县|辖区)+")
# 对工作突出的县、市进行奖励, 面向全县居民建立: the group between 对 (面向) and a verb of
# giving or doing.
_FOR_GROUP = re.compile(rf"(?:(?<![针面应相绝核])对|面向)({_GROUP})(?:进行|开展|实行|实施|提供|给予|发放|建立)")
# 以贫困人口为重点: the group a program in the sentence puts first.
_FOCUS = re.compile(rf"以({_GROUP})为(?:重点|对象|主体)")
# 高血压病患者纳入HEARTS项目; “两癌”筛查实现了城镇低保人群…全覆盖.
_INTO = re.compile(rf"(?:^|[，；：])({_GROUP})(?:全部|均|统一)?纳入$")
_COVERED = re.compile(rf"^实现了?({_GROUP})全覆盖")


# 实现贫困人口县域内住院“先诊疗后付费”和“一站式”就诊结算全覆盖: a group, then what is
# brought to all of it.
_COVERED_LIST = re.compile(rf"实现({_GROUP})[^，。；]{{0,8}}?(?=[“《]?[^，。；]*?全覆盖)")


def _covered(text: str, aims: list[Mention], start: int, end: int) -> Iterator[tuple[re.Match, Mention]]:
    """实现贫困人口县域内住院“先诊疗后付费”和“一站式”就诊结算全覆盖: each aim brought to a
    whole group, with the match (its group is ``group(1)``)."""
    for match in _COVERED_LIST.finditer(text, start, end):
        clause_end = text.find("全覆盖", match.end())
        for aim in aims:
            if match.end() <= aim.start and aim.end <= clause_end:
                yield match, aim


def _brought_to_all(text: str, inside: list[Mention], start: int, end: int, objects: set[int]) -> list[Relation]:
    """许昌市还实现贫困人口家庭医生签约服务全覆盖: who brings a program (policy) to a whole
    group runs (implements) it."""
    result = []
    for match, aim in _covered(text, [m for m in inside if m.cls in ("Program", "Policy")], start, end):
        prop = "runs" if aim.cls == "Program" else "implements"
        agent = _agent(text, inside, match.start(), prop, objects, start)
        if agent is not None:
            result.append(Relation(agent, prop, aim, confidence=0.65, trigger="实现…全覆盖"))
    return result


def _targets(text: str, inside: list[Mention], start: int, end: int) -> list[Relation]:
    """``targets`` literals: the group a program or policy named in the sentence is for.

    >>> from kg.rules import Mention
    >>> text = "该县采取以奖代补的方式对工作突出的县、市进行奖励。"
    >>> [(r.head.label, r.literal) for r in _targets(text, [Mention(4, 8, "Policy", "programs", label="以奖代补")], 0, len(text))]
    [('以奖代补', '工作突出的县、市')]
    """
    aims = [m for m in inside if m.cls in ("Program", "Policy")]
    if not aims:
        return []
    found: list[tuple[Mention, str, int]] = []
    for match in _FOR_GROUP.finditer(text, start, end):
        # The program named right after the verb, else the last one before 对 within a clause.
        after = next((m for m in aims if m.start >= match.end() and _GAP.match(text[match.end() : m.start])), None)
        before = [m for m in aims if m.end <= match.start() and text[m.end : match.start()].count("，") <= 1 and not re.search("[；。]", text[m.end : match.start()])]
        head = after or (before[-1] if before else None)
        if head is not None:
            found.append((head, match.group(1), match.end(1)))
    for match in _FOCUS.finditer(text, start, end):
        found.append((aims[0], match.group(1), match.end(1)))
    for aim in aims:
        served = BENEFICIARIES.match(aim.label)
        if served and aim.label.endswith(OWN_NAME_ENDS):  # 贫困人口妇幼健康免费干预项目
            found.append((aim, served.group(), -1))
        window = max(start, aim.start - 24)
        into = _INTO.search(text[window : aim.start])
        if into:
            found.append((aim, into.group(1), window + into.end(1)))
        covered = _COVERED.match(text[aim.end : end])  # “两癌”筛查实现了…人口全覆盖
        if covered:
            found.append((aim, covered.group(1), aim.end + covered.end(1)))
    for match, aim in _covered(text, aims, start, end):
        found.append((aim, match.group(1), match.end(1)))
    result = []
    for head, group, group_end in found:
        if any(m.end == group_end and fits(m.cls, ("Organization", "Region")) for m in inside):
            continue  # 对偃师市游庄村: a named place or body is a node, not a literal
        group = _GROUP_WORDS.sub("", group)
        result.append(Relation(head, "targets", None, literal=group, confidence=0.6, trigger="对/纳入/覆盖"))
    return result


# 根据福建省政府《关于推进社区康复服务发展的实施意见》: a body named right before a policy issued it.
_ISSUED_BY = ("", "的", "印发的", "出台的", "发布的", "制定的", "颁布的")


def _issuers(text: str, inside: list[Mention]) -> list[Relation]:
    """中共中央、国务院关于…的意见: the bodies listed right before a document issued it."""
    result = []
    for index, (previous, policy) in enumerate(zip(inside, inside[1:])):
        if policy.cls == "Policy" and text[policy.start : policy.start + 1] in ("《", "关") and text[previous.end : policy.start] in _ISSUED_BY:
            for body in reversed(_listed_before(text, inside[: index + 1])):
                if body.cls != "Person" and fits(body.cls, PROPERTIES["issues"][0]):
                    result.append(Relation(body, "issues", policy, confidence=0.7, trigger="X《…》"))
    return result


def _campaigns(text: str, inside: list[Mention]) -> list[Relation]:
    """河南省卫生健康委员会关于“亮出形象正党风医德建设争先锋”活动: the bodies listed right
    before 关于 run the campaign (市委、市政府关于“作风建设提升年”活动: both)."""
    result = []
    for index, (previous, program) in enumerate(zip(inside, inside[1:])):
        if program.cls == "Program" and text[previous.end : program.start] in ("关于", "关于“") and re.match("”?(?:活动|行动|工作)", text[program.end : program.end + 3]):
            for body in reversed(_listed_before(text, inside[: index + 1])):
                if body.cls != "Person" and fits(body.cls, PROPERTIES["runs"][0]):
                    result.append(Relation(body, "runs", program, confidence=0.7, trigger="X关于“…”活动"))
    return result


def _listed_before(text: str, preceding: list[Mention], joins: re.Pattern = _LIST_JOIN) -> list[Mention]:
    """The last of ``preceding`` and the ones listed right before it (A、B和C → C, B, A),
    as long as what stands between two of them matches ``joins``."""
    result = [preceding[-1]]
    for m in reversed(preceding[:-1]):
        if not joins.match(text[m.end : result[-1].start]):
            break
        result.append(m)
    return result


def _leaders(text: str, inside: list[Mention]) -> list[Relation]:
    """院长林志远 after 泉州市妇幼保健院, 市长徐衣显 in a Jiaozuo article: heads and deputy heads
    lead the body named right before their post (or the region, for 市长, 市委书记)."""
    kinds = words().positions
    result = []
    previous_body: Mention | None = None
    previous_end = -1
    for person in (m for m in inside if m.cls == "Person" and "post" in m.extra):
        post = person.extra["post"]
        post_start = person.extra.get("post_start", person.start)
        body = _body_before(text, inside, post_start if not person.extra.get("name_first") else person.start, post)
        if body is None and previous_body is not None and text[previous_end:post_start] in ("、", "和", "，"):
            body = previous_body  # 院长林志远、副院长郑雅琴
        kind = kinds.get(post, "other")
        region_post = post.startswith(("市", "县", "省", "区")) and post not in ("市委卫健工委书记",)
        if body is not None and (kind == "head" or kind == "deputy" and not (region_post and body.cls in ("City", "County", "Province"))):
            if not (region_post and not fits(body.cls, ("Region",))):
                result.append(Relation(person, "leads", body, confidence=0.8, trigger=post))
        previous_body, previous_end = body, person.end
    return result


def _chairs(text: str, inside: list[Mention]) -> list[Relation]:
    """成立了由副市长孙晓红任组长，…等部门组成的健康扶贫行动指挥部: who chairs a body leads it."""
    result = []
    for i, person in enumerate(inside):
        if person.cls != "Person" or not text.startswith(("任组长", "任副组长"), person.end):
            continue
        body = next((m for m in inside[i + 1 :] if fits(m.cls, ("Organization",)) and _MADE_UP.fullmatch(text, person.end, m.start)), None)
        if body is not None:
            result.append(Relation(person, "leads", body, confidence=0.75, trigger="任组长"))
    return result


def _body_before(text: str, inside: list[Mention], position: int, post: str) -> Mention | None:
    """The body or region named right before a post. 焦作市委书记: the post 市委书记 starts
    inside 焦作市委, whose place is what the secretary leads. 市卫健委党组书记、主任曹江涛:
    earlier posts of the same person are skipped."""
    posts = words().positions
    while text[position - 1 : position] == "、":
        previous = next((p for p in sorted(posts, key=len, reverse=True) if text[:position - 1].endswith(p)), None)
        if previous is None:
            break
        position -= 1 + len(previous)
    for m in inside:
        if m.cls == "Person":
            continue
        if post[0] in "市县省区" and m.extra.get("party") and m.start <= position < m.end and (region := _party_region(m)):
            return region  # 焦作市委书记王小平; 市委书记蒿慧杰 in a Luohe article
        if m.end == position and fits(m.cls, ("Organization",)):
            return m
        if post[0] in "市县省区" and m.end in (position, position + 1) and fits(m.cls, ("Region",)):
            return m
        if post[0] in "市县省区" and m.relative and m.end == position + 1:
            return m
    return None


def _fundings(text: str, inside: list[Mention], start: int, end: int, objects: set[int]) -> tuple[list[Funding], list[Relation]]:
    """Every amount of money in the sentence is a Funding; after 投入/投资/拨付… it also has
    a funder (the sentence's agent) and, when an entity follows, a ``funds`` relation."""
    fundings: list[Funding] = []
    relations: list[Relation] = []
    for amount in amounts(text[start:end]):
        a_start, a_end = start + amount.start, start + amount.end
        located = Amount(a_start, a_end, amount.text, amount.yuan, amount.approximate)
        funder = recipient = None
        trigger = _FUNDING_TRIGGER.search(text[max(start, a_start - 12) : a_start])
        if trigger:
            funder = _agent(text, inside, a_start - len(trigger.group()), "funds", objects, start)
            after = [m for m in inside if m.start >= a_end and re.match(r"^[^，。；]{0,8}$", text[a_end : m.start]) and fits(m.cls, PROPERTIES["funds"][1])]
            # 实施X工程，…投资34.3亿元: with nothing named after the amount, the money is for
            # the program the sentence named after the funder.
            clause_start = max(start, text.rfind("；", start, a_start) + 1)
            before = [
                m for m in inside
                if funder is not None and max(funder.end, clause_start) <= m.start and m.end <= a_start and m.cls == "Program"
                and not amounts(text[m.end : a_start])
            ]  # fmt: skip
            recipient = after[0] if after else before[-1] if before else _next_object(text, inside, a_end, end)
        clause_end = re.search(r"[，。；]", text[a_end:end])
        purpose = recipient.label if recipient else text[a_end : a_end + (clause_end.start() if clause_end else end - a_end)].strip("，。；")
        fundings.append(Funding(located, funder, recipient, purpose, year_before(text[start:end], amount.start), 0.8 if funder else 0.6))
        if funder is not None and recipient is not None and funder.label != recipient.label:
            relations.append(Relation(funder, "funds", recipient, confidence=0.75, trigger="投入"))
    return fundings, relations


def _next_object(text: str, inside: list[Mention], after: int, end: int) -> Mention | None:
    """The program a later clause of the sentence builds or runs (…，在全市构建了“三圈两网”)."""
    for match in _TRIGGER.finditer(text, after, min(end, after + 30)):
        if set(TRIGGERS[match.group()]) & {"runs", "establishes"}:
            objects = _objects(text, inside, match.end())
            if objects and fits(objects[0].cls, PROPERTIES["funds"][1]):
                return objects[0]
    return None


def unique(relations: list[Relation]) -> list[Relation]:
    seen = set()
    result = []
    for r in relations:
        key = (r.head.label, r.prop, r.tail.label if r.tail else r.literal)
        if key not in seen:
            seen.add(key)
            result.append(r)
    return result
