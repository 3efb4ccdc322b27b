"""Split a page into articles, recover each one's title and byline, and find the
region it is about.

A newspaper page holds several articles. Their titles are often printed after
the body (``洛阳：基层医疗服务能力显著提升``) or gathered at the foot of the page,
bylines close them (``（本报记者史尧整理）``), ``本报讯`` opens short news items, and
photo captions sit in between. The splitter works in four steps:

1. cut the paragraph stream into segments at hard boundaries (a closing byline,
   ``本报讯``, a Markdown top heading), setting headings that float between
   segments aside as title candidates, and captions aside as articles of their own;
2. on a page of several articles, cut a segment again where its story moves
   from one city to another;
3. give each title candidate to the article about the place it names, or to its
   neighbour when it names none;
4. fold untitled fragments into the titled article about the same place.

A web page, PDF or Word file is one document: :func:`page_articles` makes it one
article, with the title, date, source, publisher and author :mod:`kg.readers` found.

>>> page = "开封市中医院获市长质量奖。\\n（本报记者刘旸整理）\\n\\n开封：推动中医药高质量发展\\n\\n洛阳市投资2亿元。\\n（本报记者史尧整理）\\n洛阳：基层能力显著提升"
>>> [(a.title, a.region.name) for a in split_page(page, "p1")]
[('开封：推动中医药高质量发展', '开封市'), ('洛阳：基层能力显著提升', '洛阳市')]
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from kg import gazetteer
from kg.cleanup import CLOSING_BYLINE, Paragraph, is_bare_credit, normalize_chars, paragraphs, tidy
from kg.gazetteer import Gazetteer, Region
from kg.readers import Document

_OPENING = re.compile(r"^本报讯")
# A credit or metadata line under a title: 本报记者 冯金灿 通讯员 李飞虎 文/图; 作者：… 来源：…
_CREDIT = re.compile(r"^(?:本报记者|记者|通讯员)[\u4e00-\u9fff\s]+(?:文/图|文|图)?$|来源[:：]|^作者[:：]")
_PLACE_TITLE = re.compile(r"^[\u4e00-\u9fff]{2,4}：")
# "新野县贫困村标准化卫生室建设集中开工 “村卫生室是…": a short item whose title runs into its body.
_RUN_IN_TITLE = re.compile(r"^([^\s，。、；：]{8,40}?)\s+((?:[\u4e00-\u9fff“]|\d+\s*月\s*\d+\s*日).{20,})$", re.S)
# Mentions inside an organisation name say where it is, not what the article is about.
_INSIDE_NAME = re.compile(r"^(?:第[一二三四五六七八九十]|人民|中医|中心|大学|医院|妇幼|卫生院|疾病)")
_SUBJECT_AFTER = re.compile(r"^(?:市|县|区|省)?(?:委|政府|卫生|卫健|还|在|将|是|紧|坚|通|以|按|把|全|积|大|率|先)")


@dataclass
class Article:
    """One article of a page: its title, byline, paragraphs (tidied) and region, and
    the metadata its file gave (``date`` as ``YYYY-MM-DD``)."""

    page_id: str
    index: int
    title: str = ""
    byline: str = ""
    paragraphs: list[str] = field(default_factory=list)
    region: Region | None = None
    kind: str = "article"  # or "caption"
    date: str = ""
    source: str = ""
    publisher: str = ""
    author: str = ""

    @property
    def id(self) -> str:
        """Stable identifier: page id and position, e.g. ``000_9ae0e2e588ed5348/a03``."""
        return f"{self.page_id}/a{self.index:02d}"

    @property
    def text(self) -> str:
        """The cleaned article text all offsets refer to: title line, then paragraphs."""
        return "\n".join([self.title, *self.paragraphs]) if self.title else "\n".join(self.paragraphs)


@dataclass
class _Segment:
    paras: list[Paragraph] = field(default_factory=list)
    titles: list[list[Paragraph]] = field(default_factory=list)
    opened: bool = False  # begins with 本报讯
    closed: bool = False  # ends with a byline
    caption: bool = False
    position: int = 0
    focus: Region | None = None

    def text(self, start: int = 0, stop: int | None = None) -> str:
        return "\n".join(p.text for p in self.paras[start:stop] if p.kind == "body")


@dataclass
class _Title:
    paras: list[Paragraph]
    position: int  # index of the segment that follows it

    @property
    def text(self) -> str:
        return " ".join(p.text for p in self.paras if not _CREDIT.search(p.text))


def page_articles(text: str, page_id: str, document: Document | None = None) -> list[Article]:
    """A page's articles: a document's one (see :func:`document_article`), or the
    articles :func:`split_page` finds on a page of text."""
    if document is None:
        return split_page(text, page_id)
    article = document_article(document, page_id)
    return [article] if article.paragraphs else []


def document_article(document: Document, page_id: str) -> Article:
    """A web page, PDF or Word file as one article: lines rebuilt into paragraphs, the
    title its metadata gives or else its first line when that is a heading.

    >>> text = "关于推进医养中心建设的通知\\n焦作市⼈⺠医院建成医养中心45家，覆盖全部\\n县区。今年全市将新建医养中心12家，投入\\n资金3000万元。"
    >>> a = document_article(Document(text, date="2023-05-12"), "notice")
    >>> a.title, a.paragraphs, a.date, a.region.name
    ('关于推进医养中心建设的通知', ['焦作市人民医院建成医养中心45家，覆盖全部县区。今年全市将新建医养中心12家，投入资金3000万元。'], '2023-05-12', '焦作市')
    """
    gaz = gazetteer.load()
    paras = paragraphs(document.text)
    title = tidy(normalize_chars(document.title))
    if not title and paras and paras[0].kind == "heading":
        title = tidy(paras.pop(0).text)
    body = [text for text in (tidy(p.text) for p in paras) if text and text != title]
    region = _focus("\n".join([title, title, *body]), gaz)
    return Article(page_id, 0, title, "", body, region, date=document.date, source=tidy(document.source), publisher=tidy(document.publisher), author=tidy(document.author))


def split_page(text: str, page_id: str) -> list[Article]:
    """Split one page's raw text into articles (see the module docstring)."""
    gaz = gazetteer.load()
    paras = paragraphs(text)
    markdown = any(p.level == 1 for p in paras)
    segments, titles = _segments(paras, markdown)
    titles = [t for title in titles for t in _split_title(title, gaz) if _is_title(t, gaz)]
    if len(titles) >= 2 or markdown:
        segments = [part for segment in segments for part in _split_on_place_change(segment, gaz)]
    for segment in segments:
        segment.focus = _focus(segment.text(), gaz)
    _assign_titles(segments, titles, gaz, place_style=any(_PLACE_TITLE.match(t.text) for t in titles))
    segments = _fold_fragments(segments)
    return _articles(segments, page_id, gaz)


def _articles(segments: list[_Segment], page_id: str, gaz: Gazetteer) -> list[Article]:
    articles = []
    for segment in segments:
        title_paras = [p for group in segment.titles for p in group]
        title = " ".join(tidy(p.text) for p in title_paras if not _CREDIT.search(p.text))
        credit = " ".join(tidy(p.text) for p in title_paras if _CREDIT.search(p.text))
        closing = next((m.group(0) for p in segment.paras if (m := CLOSING_BYLINE.search(p.text))), "")
        body = [text for text in (tidy(p.text) for p in segment.paras) if text]
        if credit:
            body.insert(0, credit)
        if not body:
            continue
        region = _focus("\n".join([title, title, *body]), gaz)
        kind = "caption" if segment.caption else "article"
        articles.append(Article(page_id, len(articles), title, tidy(credit or closing), body, region, kind))
    # Articles that name no place are about the page's main place, and so are the
    # captions of a page given over to one story ("我市" in them is that story's city).
    main = max((a for a in articles if a.region), key=lambda a: len(a.text), default=None)
    one_story = main is not None and len(main.text) > 0.7 * sum(len(a.text) for a in articles)
    for article in articles:
        if main is not None and (article.region is None or one_story and article.kind == "caption"):
            article.region = main.region
    return articles


def _segments(paras: list[Paragraph], markdown: bool) -> tuple[list[_Segment], list[_Title]]:
    """Cut paragraphs into segments; return them and the title candidates between them."""
    segments: list[_Segment] = []
    titles: list[_Title] = []
    current: _Segment | None = None
    pending: list[Paragraph] = []  # headings not yet known to be subheadings or titles

    def close() -> None:
        nonlocal current
        if current is not None and current.paras:
            current.position = len(segments)
            segments.append(current)
        current = None

    def float_pending() -> None:
        if pending:
            if markdown and not any(p.level for p in pending):
                # On a Markdown page, stray short lines outside the headings are captions.
                segments.append(_Segment(list(pending), caption=True, position=len(segments)))
            else:
                titles.append(_Title(list(pending), len(segments) + (current is not None)))
            pending.clear()

    for i, para in enumerate(paras):
        if para.kind == "caption" and _is_caption_text(paras, i - 1):
            segments[-1].paras.append(para)  # the credit under a caption
            continue
        if para.kind == "caption" or _is_caption_text(paras, i):
            if pending:  # headings before a photo end the running article: they are its title
                close()
                float_pending()
            segments.append(_Segment([para], caption=True, position=len(segments)))
            continue
        if para.kind == "heading" and not CLOSING_BYLINE.search(para.text):
            if para.level == 1 or _PLACE_TITLE.match(para.text):
                close()
                float_pending()
            pending.append(para)
            continue
        if _OPENING.match(para.text):
            close()
            float_pending()
            current = _Segment(opened=True)
        elif current is None:
            # Markdown subheadings ("### …") right after the title open the body.
            subheads = []
            while pending and pending[-1].level >= 3:
                subheads.insert(0, pending.pop())
            float_pending()
            current = _Segment(paras=subheads)
            run_in = _RUN_IN_TITLE.match(para.text)
            if run_in:
                titles.append(_Title([Paragraph(run_in.group(1), "heading")], len(segments)))
                para = Paragraph(run_in.group(2), para.kind)
        if pending:
            # Headings inside a running article are its subheadings.
            if current.paras and not any(p.level == 1 for p in pending):
                current.paras.extend(pending)
                pending.clear()
            else:
                float_pending()
        current.paras.append(para)
        if CLOSING_BYLINE.search(para.text):
            current.closed = True
            close()
    close()
    float_pending()
    return segments, titles


def _is_caption_text(paras: list[Paragraph], i: int) -> bool:
    """A body paragraph directly followed by a bare photo credit is a caption."""
    if i < 0 or i + 1 >= len(paras) or paras[i].kind != "body":
        return False
    return is_bare_credit(paras[i + 1].text)


def _is_title(title: _Title, gaz: Gazetteer) -> bool:
    """Column names such as 基层快讯 float like titles but name no article."""
    return len(title.text) > 4 or any(p.level for p in title.paras) or bool(gaz.find(title.text))


def _mentions(text: str, gaz: Gazetteer) -> Counter:
    """Weighted region mentions: a subject-like mention counts 2, one inside a name 0.5."""
    counts: Counter = Counter()
    for start, end, name in gaz.find(text):
        regions = gaz.lookup(name)
        if len(regions) != 1:
            continue
        after = text[end : end + 3]
        weight = 0.5 if _INSIDE_NAME.match(after) else 2.0 if _SUBJECT_AFTER.match(after) else 1.0
        counts[regions[0]] += weight
    return counts


def _focus(text: str, gaz: Gazetteer) -> Region | None:
    """The region an article is about: the most mentioned one, provinces at half weight,
    a county's mentions also counting half for its city.

    >>> _focus("近年来，洛阳市抓硬件。嵩县、伊川县建设县域医疗中心。洛阳市投资2亿元。", gazetteer.load()).name
    '洛阳市'
    """
    return _focus_of(_mentions(text, gaz), gaz)


def _focus_of(counts: Counter, gaz: Gazetteer) -> Region | None:
    if not counts:
        return None
    scored: Counter = Counter()
    for region, weight in counts.items():
        scored[region] += weight * (0.5 if region.level == "Province" else 1.0)
        for ancestor in gaz.ancestors(region):
            if ancestor.level == "City":
                scored[ancestor] += 0.5 * weight
    return max(scored.items(), key=lambda kv: (kv[1], kv[0].level == "County"))[0]


def _split_on_place_change(segment: _Segment, gaz: Gazetteer) -> list[_Segment]:
    """Cut a segment where its story moves from one city to another.

    The cut goes before the first paragraph naming a new place when the rest of
    the segment names it at least twice and never the old one, and the part
    before never names the new one; subheadings just before it go with it.
    """
    if segment.caption:
        return [segment]
    counts = [_mentions(p.text, gaz) if p.kind == "body" else Counter() for p in segment.paras]
    for cut in range(1, len(segment.paras)):
        here = _focus_of(counts[cut], gaz)
        if here is None:
            continue
        head_counts = sum(counts[:cut], Counter())
        head = _focus_of(head_counts, gaz)
        if head is None or here.level != head.level or _related(head, here, gaz):
            continue
        tail_counts = sum(counts[cut:], Counter())
        if tail_counts[here] >= 2 and tail_counts[head] == 0 and head_counts[here] == 0:
            while cut > 1 and segment.paras[cut - 1].kind == "heading":
                cut -= 1
            first = _Segment(segment.paras[:cut], segment.titles, segment.opened, False, position=segment.position)
            rest = _Segment(segment.paras[cut:], [], False, segment.closed, position=segment.position)
            return [first, *_split_on_place_change(rest, gaz)]
    return [segment]


def _related(a: Region, b: Region, gaz: Gazetteer) -> bool:
    return a == b or a in gaz.ancestors(b) or b in gaz.ancestors(a)


def _split_title(title: _Title, gaz: Gazetteer) -> list[_Title]:
    """Split consecutive headings into titles: a heading that opens with a place name
    or is a place-colon title starts a new one; credit lines stay with their title;
    '# 许昌' and the '## …' under it are one title."""
    groups: list[list[Paragraph]] = []
    for para in title.paras:
        opens_with_place = any(start == 0 for start, _, _ in gaz.find(para.text[:4]))
        new = not groups or (not _CREDIT.search(para.text) and (opens_with_place or para.level == 1))
        if new and groups and all(p.level == 1 for p in groups[-1]) and para.level > 1:
            new = False
        if new:
            groups.append([para])
        else:
            groups[-1].append(para)
    return [_Title(group, title.position) for group in groups]


def _assign_titles(segments: list[_Segment], titles: list[_Title], gaz: Gazetteer, place_style: bool) -> None:
    """Give each title to its article.

    Markdown top headings go to the segment after them. A title naming a place
    goes to the nearest untitled article about that place. On a page whose titles
    are ``城市：…``, a heading naming no place is a subheading of what follows.
    Any other title goes to the article before it when that one is untitled and
    it or the next opens with ``本报讯`` (titles printed after the body), else to
    the next. Titles with a credit line under them are placed first, trailing
    headings (captions at the end of a page) last.
    """
    stories = [s for s in segments if not s.caption]

    def untitled_near(position: int, focus: Region | None = None) -> _Segment | None:
        pool = [s for s in stories if not s.titles and (focus is None or (s.focus and _related(s.focus, focus, gaz)))]
        pool.sort(key=lambda s: (focus is not None and s.focus != focus, abs(s.position - position), s.position < position))
        return pool[0] if pool else None

    def rank(title: _Title) -> int:
        if any(p.level == 1 for p in title.paras):
            return 0
        if any(_CREDIT.search(p.text) for p in title.paras):
            return 1
        return 2 if _PLACE_TITLE.match(title.text) else 3

    ordered = sorted(titles, key=lambda t: (rank(t), t.position))
    for title in ordered:
        named = _focus(title.text, gaz)
        following = next((s for s in stories if s.position >= title.position), None)
        if any(p.level == 1 for p in title.paras) and following is not None:
            following.titles.append(title.paras)
            continue
        if named is not None:
            target = untitled_near(title.position, named)
            if target is not None:
                target.titles.append(title.paras)
                continue
        if place_style and not _PLACE_TITLE.match(title.text) and following is not None:
            following.paras[:0] = title.paras
            continue
        before = [s for s in stories if s.position < title.position]
        previous = before[-1] if before else None
        if previous is not None and not previous.titles and (following is None or following.opened or previous.opened):
            previous.titles.append(title.paras)
        elif following is not None and not following.titles:
            following.titles.append(title.paras)
        elif previous is not None:
            previous.paras.extend(title.paras)


def _fold_fragments(segments: list[_Segment]) -> list[_Segment]:
    """Fold an untitled, unopened fragment into the titled article about the same place."""
    kept: list[_Segment] = []
    for segment in segments:
        if not segment.caption and not segment.titles and not segment.opened and segment.focus is not None:
            home = next((s for s in segments if s is not segment and not s.caption and s.titles and s.focus == segment.focus), None)
            if home is not None:
                home.paras.extend(segment.paras)
                continue
        kept.append(segment)
    return kept
