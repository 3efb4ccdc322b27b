"""Read the documents analysts keep besides text: web pages, PDF and Word files.

One function per format takes the file's bytes and returns a :class:`Document`: its
text, one paragraph (or, from a PDF, one line of the text layer) a line, with what the
file says of its title, publication date, source, publisher and author; or it raises
:class:`Unreadable` with the reason. Each file is one document, so one article.

>>> page = '''<html><head><meta charset="utf-8"><title>焦作市推进医养中心建设_示例卫生健康委</title>
... <meta name="PubDate" content="2023-05-12 09:30"></head><body>
... <div class="nav"><a href="/">首页</a> <a href="/zwgk/">政务公开</a></div>
... <h1>焦作市推进医养中心建设</h1><p>来源：焦作市卫生健康委员会　作者：王明</p>
... <div id="content"><p>焦作市已建成医养中心45家，今年将投入资金3000万元，在修武县新建医养中心12家。</p>
... <p>焦作市人民医院与修武县人民医院签署对口帮扶协议，开展远程会诊和人才培养。</p></div>
... <div class="footer">主办单位：示例卫生健康委　地址：金水路101号</div></body></html>'''
>>> doc = read_html(page.encode("utf-8"))
>>> doc.title, doc.date, doc.source, doc.author, doc.publisher
('焦作市推进医养中心建设', '2023-05-12', '焦作市卫生健康委员会', '王明', '示例卫生健康委')
>>> print(doc.text)
焦作市已建成医养中心45家，今年将投入资金3000万元，在修武县新建医养中心12家。
焦作市人民医院与修武县人民医院签署对口帮扶协议，开展远程会诊和人才培养。
"""

from __future__ import annotations

import copy
import datetime
import io
import math
import re
from collections import Counter
from dataclasses import dataclass
from typing import Callable

from kg.money import chinese_number


@dataclass(frozen=True)
class Document:
    """A file's text and metadata (empty strings where it says nothing; ``date`` is
    ``YYYY-MM-DD``)."""

    text: str
    title: str = ""
    date: str = ""
    source: str = ""  # where the article comes from: 来源
    publisher: str = ""  # who published this copy: the site
    author: str = ""


class Unreadable(Exception):
    """A file this reader cannot take an article from; the message is the reason."""

    @property
    def reason(self) -> str:
        return str(self)


# -- web pages -----------------------------------------------------------------------

_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([\w.:-]+)""", re.I)
# GB2312 and GBK pages use characters outside their declared set: GB18030 holds them all.
_GB = {"gb2312", "gbk", "gb18030", "x-gbk", "cp936", "euc-cn", "hz-gb-2312"}
# The labels a Chinese site puts before a page's metadata, in its header line or at the foot.
_LABELLED = {
    "source": r"(?:信息|稿件|文章)?来源",
    "author": r"作者|撰稿人?",
    "publisher": r"主办(?:单位)?",
}
_VALUE = r"\s*[:：]\s*([^\s:：|｜/]{2,40})"
_DATE = re.compile(r"(\d{4})\s*[-年/.]\s*(\d{1,2})\s*[-月/.]\s*(\d{1,2})")
_LABELLED_DATE = re.compile(r"(?:发布|发稿|更新|成文)?(?:时间|日期)\s*[:：]\s*" + _DATE.pattern)
# Lines of the page's chrome that extraction may keep: the metadata line, the share bar,
# print and close buttons, links to the next and previous articles, related-link headings.
_CHROME = re.compile(
    r"^[（(【\[]?\s*(?:(?:信息|稿件|文章)?来源|作者|撰稿|(?:责任)?编辑|审核|校对|发布(?:时间|日期)|浏览(?:次数)?|点击(?:数|量)?|字[体号]"
    r"|分享到|上一篇|下一篇)\s*[:：]|^【?(?:打印本页|关闭窗口|打印|关闭|返回顶部)】?$|^相关(?:链接|阅读|新闻|文章)$"
)


def html_charset(data: bytes) -> str | None:
    """The charset a page declares (``<meta charset>`` or ``http-equiv``), as Python names it.

    >>> html_charset(b'<meta http-equiv="Content-Type" content="text/html; charset=gb2312">')
    'gb18030'
    """
    match = _CHARSET.search(data[:8192])
    if match is None:
        return None
    name = match.group(1).decode("ascii", "replace").lower()
    return "gb18030" if name in _GB else name


def decode_html(data: bytes) -> str:
    """The page as text: by its BOM, else by the charset it declares, else (also when the
    declaration is wrong) as UTF-8 or, failing that, GB18030.

    >>> decode_html('<meta charset="gb2312"><p>濮阳市</p>'.encode("gbk"))
    '<meta charset="gb2312"><p>濮阳市</p>'
    """
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", "replace")
    for encoding in filter(None, (html_charset(data), "utf-8")):
        try:
            return data.decode(encoding)
        except (LookupError, UnicodeDecodeError):
            continue
    return data.decode("gb18030", "replace")


def read_html(data: bytes) -> Document:
    """A web page's article without its menus, breadcrumbs, share bar, related links and
    footer (by trafilatura), with the title, date, source, publisher and author the page
    gives: in the metadata Chinese government sites carry (``ArticleTitle``, ``PubDate``,
    ``ContentSource``, ``Author``, ``SiteName``), in the standard markup of its head
    (htmldate finds the date there), or after labels (``来源：``, ``作者：``, ``发布时间：``,
    ``主办单位：``). A page listing several news items is no article: :class:`Unreadable`."""
    import lxml.html
    import trafilatura
    from htmldate import find_date

    html = decode_html(data)
    html = re.sub(r"^\s*<\?xml[^>]*>", "", html)  # lxml refuses text that declares its encoding
    try:
        tree = lxml.html.document_fromstring(html)
    except (ValueError, lxml.etree.ParserError) as exc:
        raise Unreadable(f"not a readable web page ({exc})") from exc
    # Precision: on a short article, trafilatura's default falls back to the whole page. Its
    # date goes unused (see below): no extensive search for it, which takes seconds a page.
    extracted = trafilatura.bare_extraction(
        html, with_metadata=True, include_comments=False, include_tables=True, favor_precision=True, date_extraction_params={"extensive_search": False}
    )
    links = {" ".join(a.text_content().split()) for a in tree.iter("a")}
    lines = [line.strip() for line in (extracted.text if extracted is not None and extracted.text else "").splitlines()]
    # A line that is a link alone is a menu item or a related article, not the article's.
    body = [line for line in lines if line and line not in links and not _CHROME.search(line)]
    if not any(re.search(r"[。！？!?]", line) for line in body):
        headlines = sum(1 for text in links if _is_headline(text))
        if headlines >= 3:
            raise Unreadable(f"a list page of {headlines} news items, not an article: save the articles' own pages")
        raise Unreadable("no article text in the page")
    meta = {m.get("name", "").lower(): m.get("content", "").strip() for m in tree.iter("meta") if m.get("name")}
    chrome = _around(" ".join(tree.body.text_content().split()) if tree.body is not None else "", body)
    labelled = {key: m.group(1) if (m := re.search(f"(?:{label}){_VALUE}", chrome)) else "" for key, label in _LABELLED.items()}
    # htmldate reads the head's markup (meta tags, JSON-LD) only: in the body it would take
    # the date of a related article for this one's.
    marked_date = find_date(copy.deepcopy(tree.head), original_date=True, extensive_search=False) if tree.head is not None else None
    labelled_date = m.group(0) if (m := _LABELLED_DATE.search(chrome)) else ""
    date = _iso(meta.get("pubdate", "")) or _iso(marked_date or "") or _iso(labelled_date)
    publisher = meta.get("sitename") or (extracted.sitename if extracted else "") or labelled["publisher"]
    title = _without_site(meta.get("articletitle") or (extracted.title if extracted else "") or "", publisher)
    return Document(
        text="\n".join(line for line in body if line != title),
        title=title,
        date=date,
        source=meta.get("contentsource") or labelled["source"],
        publisher=publisher,
        author=meta.get("author") or (extracted.author if extracted else "") or labelled["author"],
    )


def _is_headline(text: str) -> bool:
    """A link whose text reads like an article's title (at least 8 Chinese characters)."""
    return len(re.findall(r"[\u4e00-\u9fff]", text)) >= 8


def _around(page_text: str, body: list[str]) -> str:
    """The page's text without the article's lines: its chrome, where the metadata is."""
    for line in body:
        page_text = page_text.replace(" ".join(line.split()), " ")
    return page_text


def _without_site(title: str, site: str) -> str:
    """'焦作市推进医养中心建设_河南省卫生健康委员会' -> '焦作市推进医养中心建设'."""
    parts = re.split(r"\s*[_|｜]\s*|\s+[-—]\s+", title.strip())
    return parts[0] if len(parts) > 1 and (not site or site in parts[-1] or parts[-1] in site) else title.strip()


def _iso(text: str) -> str:
    """The first date in ``text`` as ``YYYY-MM-DD`` ('' when there is none or it is no real date).

    >>> _iso("发布时间：2023年5月2日 09:30"), _iso("2023-13-40")
    ('2023-05-02', '')
    """
    match = _DATE.search(text or "")
    if match is None:
        return ""
    try:
        return datetime.date(*(int(g) for g in match.groups())).isoformat()
    except ValueError:
        return ""


# -- PDF -----------------------------------------------------------------------------

# A page number alone on its line: "3", "- 3 -", "— 3 —", "第 3 页", "第3页 共12页", "3/12".
_PAGE_NUMBER = re.compile(r"^[-—–\s]*(?:第\s*)?\d{1,4}\s*(?:页)?\s*(?:(?:/|共)\s*\d{1,4}\s*页?)?[-—–\s]*$")
_CLOSING_DATE = re.compile(r"^(\d{4}|[〇零一二三四五六七八九]{4})\s*年\s*([\d一二三四五六七八九十]{1,3})\s*月\s*([\d一二三四五六七八九十]{1,3})\s*日$")


def read_pdf(data: bytes) -> Document:
    """The text layer of a PDF (by pypdf), without its running headers, footers and page
    numbers; the title is the first page's lines set in the largest type, the date the
    closing date line of a government document (``2023年5月12日``). A scan without a
    text layer is :class:`Unreadable`: it needs OCR first."""
    from pypdf import PasswordType, PdfReader

    try:
        reader = PdfReader(io.BytesIO(data))
        # Many PDFs are encrypted with an empty password, only to forbid editing.
        if reader.is_encrypted and reader.decrypt("") == PasswordType.NOT_DECRYPTED:
            raise Unreadable("the PDF has a password: save a copy without it first")
        pages = [_sized_lines(page) for page in reader.pages]
        title_meta = str((reader.metadata or {}).get("/Title") or "")
    except Unreadable:
        raise
    except Exception as exc:  # pypdf raises many kinds on a damaged file; none may stop the build
        raise Unreadable(f"not a readable PDF ({type(exc).__name__}: {exc})") from exc
    pages = _without_furniture(pages)
    letters = sum(len(re.findall(r"\w", text)) for page in pages for text, _ in page)
    if letters < 10 * max(1, len(pages)):
        raise Unreadable("no text layer: OCR it first")
    title, first = _title_lines(pages[0]) if pages else ([], pages)
    lines = [text for text, _ in first] + [text for page in pages[1:] for text, _ in page]
    if not title and re.search(r"[\u4e00-\u9fff]", title_meta) and not re.search(r"\.\w{2,4}$|Microsoft|^untitled$", title_meta, re.I):
        title = [title_meta]
    return Document(text="\n".join(lines), title="".join(title), date=_closing_date(lines))


def _sized_lines(page) -> list[tuple[str, float]]:
    """A page's text lines, each with the largest type size on it."""
    lines: list[tuple[str, float]] = []
    parts: list[str] = []
    size = [0.0]

    def visit(text: str, cm, tm, font, font_size) -> None:
        if not text:
            return
        scale = math.hypot(tm[2], tm[3]) * math.hypot(cm[2], cm[3]) or 1.0
        pieces = text.split("\n")
        for i, piece in enumerate(pieces):
            parts.append(piece)
            if piece.strip():
                size[0] = max(size[0], float(font_size) * scale)
            if i < len(pieces) - 1:
                lines.append(("".join(parts).strip(), size[0]))
                parts.clear()
                size[0] = 0.0

    page.extract_text(visitor_text=visit)
    lines.append(("".join(parts).strip(), size[0]))
    return [(text, s) for text, s in lines if text]


def _without_furniture(pages: list[list[tuple[str, float]]]) -> list[list[tuple[str, float]]]:
    """Drop page numbers and running headers and footers: a line among the first or last
    two of a page that comes back (its digits aside) on at least half the pages, two or more.

    >>> pages = [[("示例卫生健康委文件", 9), ("第一段。", 12), ("- 1 -", 9)], [("示例卫生健康委文件", 9), ("第二段。", 12), ("- 2 -", 9)]]
    >>> _without_furniture(pages)
    [[('第一段。', 12)], [('第二段。', 12)]]
    """

    def key(text: str) -> str:
        return re.sub(r"\d+", "#", re.sub(r"\s+", "", text))

    edges = Counter(key(text) for page in pages for text, _ in {*page[:2], *page[-2:]})
    repeated = {k for k, n in edges.items() if len(pages) >= 2 and n >= max(2, len(pages) / 2)}
    kept = []
    for page in pages:
        edge = {*page[:2], *page[-2:]}
        kept.append([(text, s) for text, s in page if not _PAGE_NUMBER.match(text) and not ((text, s) in edge and key(text) in repeated)])
    return kept


def _title_lines(page: list[tuple[str, float]]) -> tuple[list[str], list[tuple[str, float]]]:
    """The title (the first run of lines in the page's largest type, when that is larger
    than the body's; a banner ending in 文件 is not it) and the page's other lines."""
    if not page:
        return [], page
    body_size = Counter(round(s) for _, s in page).most_common(1)[0][0]
    largest = max((s for text, s in page if not text.endswith("文件")), default=0.0)
    if largest <= body_size * 1.15:
        return [], page
    start = next(i for i, (text, s) in enumerate(page) if s == largest and not text.endswith("文件"))
    end = start
    while end < len(page) and page[end][1] == largest:
        end += 1
    return [text for text, _ in page[start:end]], page[:start] + page[end:]


def _closing_date(lines: list[str]) -> str:
    """The date a government document closes with, among its last lines.

    >>> _closing_date(["示例卫生健康委员会", "二〇二三年五月十二日", "（此件公开发布）"])
    '2023-05-12'
    """
    for line in reversed(lines[-5:]):
        match = _CLOSING_DATE.match(re.sub(r"\s+", "", line))
        if match:
            year, month, day = (g if g.isdigit() else chinese_number(g) for g in match.groups())
            return _iso(f"{year}-{month}-{day}")
    return ""


# -- Word ----------------------------------------------------------------------------


def read_docx(data: bytes) -> Document:
    """A Word file's paragraphs and tables in reading order (by python-docx); a table
    row reads as one sentence, its cells apart: ``焦作市人民医院；远程会诊中心；500。``
    The title is a first paragraph styled as a title or heading, else the file's own."""
    import docx
    from docx.table import Table

    try:
        document = docx.Document(io.BytesIO(data))
        blocks = list(document.iter_inner_content())
        title_meta = document.core_properties.title or ""
    except Exception as exc:  # a damaged or non-Word zip; none may stop the build
        raise Unreadable(f"not a readable Word file ({type(exc).__name__}: {exc})") from exc
    lines: list[str] = []
    title = ""
    for block in blocks:
        if isinstance(block, Table):
            lines.extend(_rows(block))
            continue
        text = block.text.strip()
        style = block.style.name if block.style is not None else ""
        if text and not title and not any(lines) and style.startswith(("Title", "Heading")):
            title = text
        elif text:
            lines.append(text)
    if not lines:
        raise Unreadable("no text in the Word file")
    return Document(text="\n".join(lines), title=title or title_meta.strip(), date=_closing_date(lines))


def _rows(table) -> list[str]:
    """Each row of a table as one line."""
    rows = []
    for row in table.rows:
        cells, seen = [], []
        for cell in row.cells:
            if any(cell._tc is tc for tc in seen):  # a merged cell comes back for each grid column it spans
                continue
            seen.append(cell._tc)
            text = " ".join(cell.text.split())
            if text:
                cells.append(text)
        if cells:
            line = "；".join(cells)
            rows.append(line if re.search(r"[。！？]$", line) else line + "。")
    return rows


#: File name endings and the reader of each.
READERS: dict[str, Callable[[bytes], Document]] = {".html": read_html, ".htm": read_html, ".pdf": read_pdf, ".docx": read_docx}
