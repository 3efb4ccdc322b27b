"""People named next to their post (院长李辉, 林志远院长, 焦作市委书记王小平) or in a
byline (本报记者刘旸, 通讯员王倩男, 刘向前 摄).

A name is a family name plus one or two characters; which length is right is decided
by what follows it (李辉介绍: the name is 李辉, since 介绍 follows).

>>> from kg.rules import Context
>>> [(m.label, m.extra["post"]) for m in find("焦作市委书记王小平、市长徐衣显直接指挥。据该院院长李辉介绍，贺军主任带领", Context())]
[('王小平', '市委书记'), ('徐衣显', '市长'), ('李辉', '院长'), ('贺军', '主任')]
>>> [(m.label, m.extra["post"]) for m in find("云南省卫生计生委科教处李卫东处长说", Context())]
[('李卫东', '处长')]
"""

from __future__ import annotations

import re

from kg import gazetteer
from kg.lexicon import words
from kg.rules import Context, Mention, register
from kg.rules.text import PUNCT, STOP_WORDS, is_han, left_boundary

# What may follow a name: punctuation, conjunctions, common verbs of reporting and acting.
_AFTER_NAME = re.compile(
    r"^(?:[、，。；：！？）”\s（]|$|和|与|及|以及|等|同志|一行|介绍|说|表示|指出|强调|认为|谈到|在|带领|带队|任|为|主持|出席|"
    r"直接|亲自|参加|率|调研|视察|考察|的|是|对|向|就|将|也|还|代表|讲解|作|做|陪同|点名|详细|立即|快速|有感|坦言|"
    r"分析|透露|告诉|提出|要求|希望|感慨|所|摄|/摄|文|整理|通讯员|记者)"
)
_BYLINE = re.compile(r"(本报记者|记者|通讯员|摄影|作者[:：]?)")
_CREDIT = re.compile(r"([\u4e00-\u9fff]{2,3})\s*/?摄")
# 濮阳市疾病预防控制中心梁森详细讲解: someone of a body, named right after it, who speaks.
_SPEAKER_OF_BODY = re.compile(r"(?:中心|医院|卫生院|委员会|卫健委|局)([\u4e00-\u9fff]{2,3}?)(?=详细|介绍|表示|指出|讲解|强调|说)")


@register("kg.rules.people.v1")
def find(text: str, context: Context) -> list[Mention]:
    """Person mentions in ``text``, each with ``extra["post"]`` (the post as written)."""
    lex = words()
    posts = sorted(lex.positions, key=len, reverse=True)
    post_re = re.compile("|".join(map(re.escape, posts)))
    found: dict[int, Mention] = {}
    for match in _BYLINE.finditer(text):
        for name_match in _names_after_byline(text, match.end(), lex.surnames):
            role = "记者" if "记者" in match.group() else match.group().rstrip("：:")
            label = text[name_match[0] : name_match[1]].replace(" ", "")
            found.setdefault(name_match[0], Mention(name_match[0], name_match[1], "Person", "people", label=label, score=0.8, extra={"post": role, "post_start": match.start()}))
    for match in post_re.finditer(text):
        post = match.group()
        # 院长李辉: the name follows the post.
        # After a common noun such as 医生 or 乡村医生 only a common family name is trusted.
        name = _name_at(text, match.end(), lex.surnames if lex.positions[post] != "other" else lex.common_surnames)
        if name and not _is_post_start(text, match.end(), posts):
            found.setdefault(match.end(), _person(match.end(), name, post, match.start(), text))
        # 林志远院长, 张铭医师: the name comes just before the post (before a common noun
        # such as 医师, only with a common family name).
        for length in (3, 2):
            start = match.start() - length
            surnames = lex.surnames if lex.positions[post] != "other" else lex.common_surnames
            if start >= 0 and _plausible_name(text[start : match.start()], surnames) and _boundary_before(text, start):
                found.setdefault(start, _person(start, text[start : match.start()], post, match.start(), text, before=True))
                break
    for match in _CREDIT_RUN.finditer(text):
        run_start = match.start(1) if match.group(1) else match.start(2)
        for offset, length in _split_names(match.group(1) or match.group(2), lex.surnames) or ():
            name = text[run_start + offset : run_start + offset + length]
            found.setdefault(run_start + offset, _credit(run_start + offset, name, "署名", match.start()))
    for match in _CREDIT_ONE.finditer(text):
        if _plausible_name(match.group(1), lex.common_surnames):
            found.setdefault(match.start(1), _credit(match.start(1), match.group(1), "署名", match.start()))
    for match in _SPEAKER_OF_BODY.finditer(text):
        name = match.group(1)
        if _plausible_name(name, lex.common_surnames):
            found.setdefault(match.start(1), Mention(match.start(1), match.end(1), "Person", "people", label=name, score=0.6))
    for match in _CREDIT.finditer(text):
        if match.group(1)[0] in lex.surnames and _boundary_before(text, match.start(1)):
            found.setdefault(match.start(1), _credit(match.start(1), match.group(1), "摄影", match.end(1)))
    for person in sorted(found.values(), key=lambda m: m.start):
        # 王琦、刘保延院士: names listed before a name that precedes its post.
        j = person.start
        while person.extra.get("name_first") and text[j - 1 : j] == "、":
            name = next((text[j - 1 - n : j - 1] for n in (3, 2) if j - 1 - n >= 0 and _plausible_name(text[j - 1 - n : j - 1], lex.common_surnames) and left_boundary(text, j - 1 - n)), "")
            if not name or j - 1 - len(name) in found:
                break
            j -= 1 + len(name)
            found[j] = _person(j, name, person.extra["post"], person.extra["post_start"], text, before=True)
    for person in sorted(found.values(), key=lambda m: m.start):  # 主治医生余志豪和高磊
        i = person.end
        while text[i : i + 1] in ("、", "和", "与") and i + 1 not in found:
            name = _name_at(text, i + 1, lex.common_surnames)
            if not name:
                break
            found[i + 1] = _person(i + 1, name, person.extra["post"], person.extra["post_start"], text)
            i += 1 + len(name)
    return sorted(found.values(), key=lambda m: m.start)


# Credit lines of names run together: （乔晓娜胡丰旺） at a paragraph's end, 王正勋侯林峰郭雪莹/摄;
# and one name alone in brackets at a paragraph's end: （孙琰）.
_CREDIT_RUN = re.compile(r"[（(]([\u4e00-\u9fff]{4,12})[）)]\s*$|([\u4e00-\u9fff]{4,12})\s*/摄", re.M)
_CREDIT_ONE = re.compile(r"[。！？”）)][（(]([\u4e00-\u9fff]{2,3})[）)]\s*$", re.M)


def _split_names(run: str, surnames: frozenset[str]) -> list[tuple[int, int]] | None:
    """Cut a run of characters into two or more names of two or three characters, each
    starting with a family name; None when it cannot be cut so (then it is not a credit).

    >>> from kg.lexicon import words
    >>> _split_names("王正勋侯林峰郭雪莹", words().surnames)
    [(0, 3), (3, 3), (6, 3)]
    >>> _split_names("郑州大学", words().surnames) is None
    True
    """

    def cut(at: int) -> list[tuple[int, int]] | None:
        if at == len(run):
            return []
        for length in (3, 2):
            if at + length <= len(run) and _plausible_name(run[at : at + length], surnames):
                rest = cut(at + length)
                if rest is not None:
                    return [(at, length)] + rest
        return None

    names = cut(0)
    return names if names and len(names) >= 2 else None


def _person(start: int, name: str, post: str, post_start: int, text: str, before: bool = False) -> Mention:
    return Mention(start, start + len(name), "Person", "people", label=name, score=0.8, extra={"post": post, "post_start": post_start, "name_first": before})


def _credit(start: int, name: str, role: str, role_start: int) -> Mention:
    """A name in a credit line (署名, 摄影): less sure than one next to a post."""
    return Mention(start, start + len(name), "Person", "people", label=name, score=0.6, extra={"post": role, "post_start": role_start})


def _name_at(text: str, i: int, surnames: frozenset[str]) -> str:
    """The name starting at ``text[i]``, or '' if none is plausible there."""
    for length in (3, 2):
        candidate = text[i : i + length]
        if length == 3 and text.startswith(_WORDS_AFTER_TWO, i + 2):
            continue  # 高磊以及: a two-character name before 以及
        if len(candidate) == length and _plausible_name(candidate, surnames) and _AFTER_NAME.match(text[i + length : i + length + 2]):
            return candidate
    # A three-character name at the end of the text or before a non-Chinese character.
    return ""


_WORDS_AFTER_TWO = ("以及", "以来", "为了")


def _plausible_name(candidate: str, surnames: frozenset[str]) -> bool:
    if not all(is_han(ch) for ch in candidate) or gazetteer.load().lookup(candidate):
        return False
    if candidate[:2] in surnames and len(candidate) == 3:
        return True
    return candidate[0] in surnames and not any(ch in _NOT_IN_NAMES for ch in candidate[1:])


# Characters that make a "name" a phrase: 主任说, 院长和, 市长直.
_NOT_IN_NAMES = set("的了在和与及等是为对就也都还将说把被让市县省区镇乡村院委局长任员会部处科所站务")


def _is_post_start(text: str, i: int, posts: list[str]) -> bool:
    """副院长 after 院长? No: a post right after a post (院长副院长) names nobody."""
    return any(text.startswith(p, i) for p in posts)


def _boundary_before(text: str, i: int) -> bool:
    """A name may start after punctuation, a conjunction, or the end of a body's name
    (科教处李卫东处长, 保健院林志远院长)."""
    return i == 0 or text[i - 1] in PUNCT or text[i - 1] in "和与及由让请是为据" + _BODY_ENDS or text[max(0, i - 2) : i] in STOP_WORDS


_BODY_ENDS = "处委局院司办部心所站厅"


def _names_after_byline(text: str, i: int, surnames: frozenset[str]) -> list[tuple[int, int]]:
    """Names after 记者/通讯员, up to the next role word or the end of the byline:
    several names are separated by spaces (本报记者 冯金灿 丁宏伟); a name typeset with a
    space inside (刘 权, 刘永 胜) is one name."""
    end = i
    while end < len(text) and (is_han(text[end]) or text[end] == " ") and not text.startswith(("通讯员", "记者", "文/图", "整理"), end):
        if text[end] == "摄" and not is_han(text[end + 1 : end + 2] or "。"):
            break  # 本报记者焦海洋摄: the photo credit's mark ends the byline
        end += 1
    tokens = [(m.start() + i, m.end() + i) for m in re.finditer(r"[\u4e00-\u9fff]+", text[i:end])]
    names: list[tuple[int, int]] = []
    for start, stop in tokens:
        if names and (stop - start == 1 or names[-1][1] - names[-1][0] == 1) and (stop - start) + (names[-1][1] - names[-1][0]) <= 3:
            names[-1] = (names[-1][0], stop)  # 刘 权 → 刘权
        else:
            names.append((start, stop))
    result = []
    for s, e in names:
        if 2 <= len(text[s:e].replace(" ", "")) + text[s:e].count(" ") <= 4 and text[s] in surnames:
            result.append((s, e))
        elif " " not in text[s:e]:  # 本报记者冯金灿丁宏伟: names run together
            result += [(s + offset, s + offset + length) for offset, length in _split_names(text[s:e], surnames) or ()]
    return result
