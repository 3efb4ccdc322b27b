"""Clean-up of newspaper OCR: rebuild paragraphs, normalise characters, drop page furniture.

Newspaper pages arrive as columns of fixed-width lines broken inside words
(``驻\\nmarked店``), with blank lines where a column ends mid-sentence, spaces inside
numbers (``34.3 亿元``) and photo credits between the articles.

>>> [p.text for p in paragraphs("开封做实国家传承创新工程，在中国（河\\n\\n南）自由贸易试验区开封片区获得土地120亩。")]
['开封做实国家传承创新工程，在中国（河南）自由贸易试验区开封片区获得土地120亩。']
>>> tidy("投资 34.3亿元，对 21家县级医疗机构改建扩建；1.13 亿元")
'投资34.3亿元，对21家县级医疗机构改建扩建；1.13亿元'
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from kg.lexicon import radicals

#: Characters that end a sentence, optionally followed by closing quotes or brackets.
SENTENCE_END = "。！？!?；;…"
CLOSERS = "”’」』）)》】"
_ENDS_SENTENCE = re.compile(f"[{SENTENCE_END}][{CLOSERS}]*$")
_ENDS_CLAUSE = re.compile(r"[，、,：:（(“‘《【]$")
# "各区县卫生局、各有关单位：" — on a page written one paragraph per line, a line ending in a
# colon addresses or introduces what follows and stays a paragraph of its own.
_ENDS_LEAD_IN = re.compile(r"[：:]$")

# A photo credit ends a caption: "本报记者 焦海洋 摄", "刘向前 摄", "王正勋 侯林峰 郭雪莹/摄".
_PHOTO_CREDIT = re.compile(r"(?:^|\s|。)(?:本报记者\s*)?(?:[\u4e00-\u9fff]\s?[\u4e00-\u9fff]{1,2}\s*)+/?\s*摄\s*$")
_PICTURE_LABEL = re.compile(r"^(?:图[①-⑳\d]+|[①-⑳])")
_PAGE_HEADER = re.compile(r"^\s*\d{1,2}\s*[\u4e00-\u9fff]{2,16}\s*$")
_MARKDOWN_RULE = re.compile(r"^\s*([-*_]\s*){3,}$")


def is_bare_credit(text: str) -> bool:
    """A photo credit with no caption text: '刘向前 摄', '王正勋 侯林峰 郭雪莹/摄'.

    >>> is_bare_credit("王正勋 侯林峰 郭雪莹/摄"), is_bare_credit("图①查看健康扶贫资料")
    (True, False)
    """
    return _credit(text) and len(tidy(text)) <= 16


@dataclass(frozen=True)
class Paragraph:
    """A rebuilt paragraph.

    ``kind`` is ``"body"``, ``"heading"`` (a short line without end punctuation:
    a title, subheading or caption), or ``"caption"`` (photo caption with credit).
    ``level`` is the Markdown heading level, 0 when there is none.
    """

    text: str
    kind: str = "body"
    level: int = 0


def width(line: str) -> int:
    """Display width: wide (CJK) characters count 2, others 1.

    >>> width("洛阳 2020")
    9
    """
    return sum(2 if unicodedata.east_asian_width(ch) in "WFA" else 1 for ch in line)


def normalize_chars(text: str) -> str:
    """Normalise widths where it matters: full-width letters, digits and spaces become
    ASCII; ASCII punctuation between Chinese characters becomes full-width; invisible
    characters go; radicals that PDF text layers put for ideographs become the ideographs.

    >>> normalize_chars("２０２０年，ＣＴ检查(市、区),大病不出县，⼈⺠医院")
    '2020年，CT检查（市、区），大病不出县，人民医院'
    """
    out = []
    for ch in text.translate(radicals.table()):
        code = ord(ch)
        if 0xFF01 <= code <= 0xFF5E and (ch.isalnum() or ch in "．％＋－／＝＠＃＆＊"):
            ch = chr(code - 0xFEE0)
        elif ch in "\u3000\u00a0":
            ch = " "
        elif ch in "\u200b\u200c\u200d\ufeff\u00ad":
            continue
        out.append(ch)
    text = "".join(out).replace("\r\n", "\n").replace("\r", "\n")
    han = r"[\u4e00-\u9fff]"
    text = re.sub(rf"(?<={han}),|,(?={han})", "，", text)
    text = re.sub(rf"(?<={han});|;(?={han})", "；", text)
    text = re.sub(rf"(?<={han}):(?={han})", "：", text)
    text = re.sub(rf"\((?=[^()\n]{{0,20}}{han})([^()\n]*)\)", r"（\1）", text)
    return text


def tidy(text: str) -> str:
    """Remove the spaces OCR puts inside Chinese text and numbers; keep single spaces
    between Latin words, and between the names of a byline (see :func:`tidy_byline`).

    >>> tidy("2019 年 9 月， 记 者 刘 永 胜 ， PPP (Public Private)")
    '2019年9月，记者刘永胜，PPP (Public Private)'
    >>> tidy("本报讯（记者王明杰 通讯员王倩男）加强 医疗")
    '本报讯（记者王明杰 通讯员王倩男）加强医疗'
    """
    text = re.sub(r"[ \t]+", " ", text).strip()
    pieces, position = [], 0
    for match in _BYLINE_PART.finditer(text):
        pieces += [_unspace(text[position : match.start()]), tidy_byline(match.group())]
        position = match.end()
    return "".join(pieces + [_unspace(text[position:])])


def _unspace(text: str) -> str:
    return re.sub(r" (?![A-Za-z0-9(])|(?<![A-Za-z0-9)]) ", "", text)


# A byline: （本报记者 刘 永 胜 通讯员刘枫丽）, （乔晓娜 胡丰旺）, 本报记者 冯金灿 通讯员 李飞虎 文/图.
_BYLINE_PART = re.compile(
    r"（[^（）]*(?:记者|通讯员)[^（）]*）|（(?:[\u4e00-\u9fff] ?){1,4}(?: [\u4e00-\u9fff](?: ?[\u4e00-\u9fff]){0,3})+）"
    r"|^(?:本报记者|记者|通讯员)[\u4e00-\u9fff /]+$|(?:[\u4e00-\u9fff] ?){2,3}(?: (?:[\u4e00-\u9fff] ?){2,3})* ?/?摄$"
)


def tidy_byline(text: str) -> str:
    """Names in a byline stay apart; runs of single characters ('王 丽', '记 者 刘 永 胜')
    are one word set with spaces, and are joined.

    >>> tidy_byline("本报记者 冯金灿 丁宏伟 通讯员 王 丽 文/图")
    '本报记者 冯金灿 丁宏伟 通讯员 王丽 文/图'
    >>> tidy_byline("（记 者 刘 永 胜 通讯员刘枫丽）")
    '（记者刘永胜 通讯员刘枫丽）'
    """
    merged: list[str] = []
    single = False
    for token in text.split():
        is_single = len(re.findall(r"[\u4e00-\u9fff]", token)) == 1
        if merged and single and is_single:
            merged[-1] += token
        else:
            merged.append(token)
        single = is_single
    return " ".join(merged)


def _is_furniture(line: str) -> bool:
    """Page furniture: horizontal rules, page headers like ' 3聚焦全省卫生健康工作会',
    sponsor lines printed twice ('漯河市卫生健康委员会漯河市卫生健康委员会')."""
    stripped = line.strip()
    if _MARKDOWN_RULE.match(stripped) or _PAGE_HEADER.match(line):
        return True
    half = len(stripped) // 2
    return len(stripped) >= 8 and len(stripped) % 2 == 0 and stripped[:half] == stripped[half:]


def paragraphs(text: str, indent: int = 6) -> list[Paragraph]:
    """Rebuild paragraphs from OCR lines.

    On a page of narrow columns, a line is joined to the next non-empty line
    (even across blank lines, which mark column breaks) when it ends mid-clause,
    leaves a bracket or quote open, is followed by a line that cannot start a
    sentence, or fills its column: at most ``indent`` width units (three Chinese
    characters, the first-line indent plus one) or a tenth narrower than the
    median of the lines around it. On a page written one paragraph per line, only lines too
    long to be headings are joined. Short lines without end punctuation become
    headings.

    >>> [(p.kind, p.text) for p in paragraphs("# 许昌\\n## 探索建立四项长效机制\\n许昌市委高度重视。")]
    [('heading', '许昌'), ('heading', '探索建立四项长效机制'), ('body', '许昌市委高度重视。')]
    """
    lines = [line.strip() for line in normalize_chars(text).split("\n")]
    lines = [line for line in lines if line and not _is_furniture(line)]
    widths = [0 if line.startswith("#") else width(line) for line in lines]
    punctuated = sum(1 for line in lines if _ENDS_SENTENCE.search(line)) / max(1, len(lines))
    too_long_for_a_column = sum(1 for w in widths if w > _LONGEST_HEADING) / max(1, len(lines))
    one_paragraph_per_line = punctuated >= 0.35 or too_long_for_a_column >= 0.1

    result: list[Paragraph] = []
    buffer: list[str] = []

    def flush() -> None:
        if buffer:
            result.append(_classify("".join(buffer)))
            buffer.clear()

    for i, line in enumerate(lines):
        markdown = re.match(r"^(#{1,6})\s+(.*)$", line)
        if markdown:
            flush()
            result.append(Paragraph(markdown.group(2).strip(), "heading", len(markdown.group(1))))
            continue
        bullet = _BULLET.match(line)
        if bullet:
            flush()
            result.append(Paragraph(bullet.group(1), "body"))
            continue
        if buffer:
            column = _column_width(widths, i - 1)
            full = _LONGEST_HEADING if one_paragraph_per_line else column - max(indent, 0.1 * column)
            salutation = one_paragraph_per_line and _ENDS_LEAD_IN.search(buffer[-1])
            if salutation or _TITLE_LINE.match(line) or _OPENS_ITEM.match(line) or _ends_paragraph(buffer[-1], line, full):
                flush()
        buffer.append(line)
    flush()
    return result


# A Markdown list item, with the decorative star or diamond some pages add: "- ★ 组织114个医疗单位…"
_BULLET = re.compile(r"^(?:[-*+]|\d+[.、])\s+[★◆●■▲☆◇○□△]?\s*(.+)$")
# "濮阳：全域医疗服务能力持续提升" — a title line naming its place; never joined to a neighbour.
_TITLE_LINE = re.compile(r"^[\u4e00-\u9fff]{2,4}(?<![说道问])：[^。！？；，“]{4,40}(?:“[^”]+”)?$")
# "本报讯" opens a news item; a byline closes one: "（本报记者刘旸整理）", "（乔晓娜 胡丰旺）",
# but not "（含执业助理医师）".
_OPENS_ITEM = re.compile(r"^本报讯")
CLOSING_BYLINE = re.compile(
    r"（(?:[^（）]*(?:记者|通讯员|整理|报道)[^（）]*|(?:[\u4e00-\u9fff]{1,4}[ \t\u3000]+)+[\u4e00-\u9fff]{1,4})）\s*$"
)
# A line that cannot start a sentence: it begins with a particle, or its second character is punctuation.
_CONTINUES = re.compile(r"^(?:[的了着之地得]|.[、，。；：）”])")
_LONGEST_HEADING = 120


def _column_width(widths: list[int], i: int, window: int = 4) -> float:
    """Median width of the lines around line ``i`` (itself excluded)."""
    start = max(0, i - window)
    around = sorted(w for j, w in enumerate(widths[start : i + window + 1], start) if j != i and w)
    return around[len(around) // 2] if around else 0


def _credit(text: str) -> bool:
    return "摄" in text and bool(_PHOTO_CREDIT.search(text))


def _ends_paragraph(line: str, next_line: str, full: float) -> bool:
    if _ENDS_SENTENCE.search(line) or _TITLE_LINE.match(line) or _credit(line) or CLOSING_BYLINE.search(line):
        return True
    if _ENDS_CLAUSE.search(line) or _OPEN_BRACKET.search(line) or _CONTINUES.match(next_line):
        return False
    return width(line) < full


# An opening bracket or quote near the end of a line that is not closed on it.
_OPEN_BRACKET = re.compile(r"[（(“《][^）)”》]{0,20}$")


# Lines of an official document that are neither titles nor headings: its date line
# ("2009-06-30", "2021年3月5日 来源：…"), its number ("京中医政字〔2005〕26号") and its
# address line ("各区县卫生局、各有关单位：").
_DOCUMENT_LINE = re.compile(
    r"^(?:\d{4}\s*[-./年]\s*\d{1,2}\s*[-./月]\s*\d{1,2}\s*日?(?:\s.*)?"
    r"|.{0,20}〔\d{4}〕\s*\d+\s*号"
    r"|.+[：:])$"
)


def _classify(text: str) -> Paragraph:
    if _credit(text) or _PICTURE_LABEL.match(text):
        return Paragraph(text, "caption")
    if not re.search(f"[{SENTENCE_END}]", text) and width(text) <= 60 and not _DOCUMENT_LINE.match(text):
        return Paragraph(text, "heading")
    return Paragraph(text, "body")
