"""Web pages, PDF and Word files in: their articles and metadata in the graph, their
boilerplate out of it, and every file that cannot be read named in the summary.

The files are written here, in the shapes analysts save them in: pages of a provincial
health commission's site (menus, breadcrumbs, share bar, related links, footer; one in
GBK), a list page, a two-page PDF notice with a running header and page numbers, a
scanned PDF, a Word report with a heading and a table, and a spreadsheet.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from kg.build import build, summary
from kg.cli import main
from kg.ingest import InputError, read_page
from kg.query import run_query

SITE = "河南省卫生健康委员会"
MENU = ["网站首页", "机构职能", "政务公开", "新闻中心", "办事服务", "互动交流"]
RELATED = ["洛阳市第三人民医院通过三级医院评审", "安阳市开展健康扶贫专项行动", "新乡市启动家庭医生签约服务提质行动"]
FOOTER = f"主办单位：{SITE}　地址：郑州市金水路101号　豫ICP备05012345号　技术支持：河南省卫生健康信息中心"


def commission_page(title: str, paragraphs: list[str], info: str, head: str = "", charset: str = "utf-8", declare: str = "meta") -> str:
    """An article page as a provincial health commission's site serves it."""
    declaration = f'<meta charset="{charset}">' if declare == "meta" else f'<meta http-equiv="Content-Type" content="text/html; charset={charset}">'
    menu = "".join(f'<li><a href="/c{i}/">{name}</a></li>' for i, name in enumerate(MENU))
    related = "".join(f'<li><a href="/xwzx/r{i}.html">{name}</a><span>2023-04-0{i + 1}</span></li>' for i, name in enumerate(RELATED))
    body = "".join(f"<p>　　{p}</p>" for p in paragraphs)
    return f"""<!DOCTYPE html>
<html lang="zh-CN"><head>{declaration}<title>{title}_{SITE}</title>{head}</head><body>
<div class="top"><a href="/">无障碍</a> <a href="/yhzx/">用户中心</a> <a href="/en/">English</a></div>
<div class="nav"><ul>{menu}</ul></div>
<div class="crumb">当前位置：<a href="/">首页</a> &gt; <a href="/xwzx/">新闻中心</a> &gt; <a href="/sxdt/">市县动态</a></div>
<div class="article"><h1>{title}</h1>
<div class="info">{info}　浏览次数：1024　【字体：<a href="#">大</a> <a href="#">中</a> <a href="#">小</a>】</div>
<div class="content" id="zoom">{body}</div>
<div class="share">分享到：<a href="#">微信</a> <a href="#">微博</a> <a href="#">QQ空间</a></div>
<div class="tools"><a href="javascript:window.print()">【打印本页】</a> <a href="javascript:window.close()">【关闭窗口】</a></div></div>
<div class="related"><h3>相关链接</h3><ul>{related}</ul></div>
<div class="footer"><p>{FOOTER}</p><p>版权所有：{SITE}　网站标识码：4100000066</p></div>
</body></html>"""


JIAOZUO = [
    "近日，焦作市卫生健康委员会召开全市医养结合工作推进会，部署2023年医养中心建设任务。",
    "会议指出，焦作市已建成医养中心45家，覆盖全部县（市、区）。今年，全市将投入资金3000万元，在修武县、博爱县新建乡镇医养中心12家。",
    "焦作市人民医院与修武县人民医院签署对口帮扶协议，开展远程会诊和人才培养。",
]
NANYANG = [
    "6月1日，南阳市卫生健康委员会启动家庭医生签约服务提质行动，全市组建家庭医生团队1200个。",
    "南阳市第二人民医院通过三级甲等医院复审，成为豫西南区域医疗中心。",
]


def list_page() -> str:
    items = "".join(f'<li><a href="/xwzx/{i}.html">{t}</a><span>2023-05-{10 + i}</span></li>' for i, t in enumerate(RELATED + [
        "焦作市推进医养中心建设", "南阳市启动家庭医生签约服务提质行动", "信阳市加强基层医疗卫生人才队伍建设",
        "周口市召开疾病预防控制工作会议", "许昌市推进紧密型县域医共体建设",
    ]))  # fmt: skip
    return f"""<html><head><meta charset="utf-8"><title>市县动态_{SITE}</title></head><body>
<div class="nav"><a href="/">首页</a> <a href="/zwgk/">政务公开</a> <a href="/xwzx/">新闻中心</a></div>
<div class="crumb">当前位置：首页 &gt; 新闻中心 &gt; 市县动态</div><ul class="list">{items}</ul>
<div class="pages">共8条 首页 上一页 1 下一页 尾页</div><div class="footer">{FOOTER}</div></body></html>"""


# A notice whose text layer, like those of many Chinese PDFs, carries radicals for
# ideographs: ⼈ (U+2F08, Kangxi) for 人, ⺠ (U+2EA0, supplement) for 民, ⾸ for 首.
NOTICE_TITLE = "关于推进医养中心建设的通知"
NOTICE = [
    "各省辖市卫生健康委：为贯彻落实《河南省医养结合发展规划》，推进医养中心建设，现将有关事项通知如下。",
    "焦作市⼈⺠医院与修武县⼈⺠医院签署对口帮扶协议。焦作市已建成医养中心45家，今年将投入资金3000万元，在修武县新建乡镇医养中心12家，",
    "南阳市卫生健康委员会开展家庭医生签约服务，覆盖全市⾸批试点乡镇。",
]
RUNNING_HEADER = "河南省卫生健康委员会文件"


def notice_pdf(path: Path) -> None:
    """Two pages with a running header, a title in large type, body lines cut at a fixed
    width (inside words, and one sentence across the page break), page numbers, and the
    signature and date at the end."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    lines = [text[i : i + 28] for text in NOTICE for i in range(0, len(text), 28)]
    pages = [lines[:5], lines[5:] + ["河南省卫生健康委员会", "2023年5月12日"]]
    pdf = canvas.Canvas(str(path), pagesize=A4)
    width, height = A4
    for number, page in enumerate(pages, 1):
        pdf.setFont("STSong-Light", 9)
        pdf.drawCentredString(width / 2, height - 40, RUNNING_HEADER)
        y = height - 90
        if number == 1:
            pdf.setFont("STSong-Light", 18)
            pdf.drawCentredString(width / 2, y, NOTICE_TITLE)
            y -= 40
        pdf.setFont("STSong-Light", 12)
        for line in page:
            pdf.drawString(72, y, line)
            y -= 20
        pdf.setFont("STSong-Light", 9)
        pdf.drawCentredString(width / 2, 40, f"- {number} -")
        pdf.showPage()
    pdf.save()


def scanned_pdf(path: Path) -> None:
    """A page that is a picture of text, as a scanner makes it: no text layer."""
    from PIL import Image, ImageDraw
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen import canvas

    image = Image.new("L", (600, 800), 255)
    draw = ImageDraw.Draw(image)
    for y in range(80, 720, 24):
        draw.rectangle((60, y, 540, y + 10), fill=40)
    pdf = canvas.Canvas(str(path), pagesize=A4)
    pdf.drawImage(ImageReader(image), 0, 0, *A4)
    pdf.showPage()
    pdf.save()


def report_docx(path: Path) -> None:
    """A heading, a paragraph, a table of funds, and a closing paragraph."""
    import docx

    document = docx.Document()
    document.add_heading("焦作市医养结合工作情况报告", level=1)
    document.add_paragraph("2023年，焦作市卫生健康委员会推进医养中心建设，全市新建医养中心12家。")
    table = document.add_table(rows=3, cols=3)
    for row, cells in zip(table.rows, [("单位", "项目", "资金（万元）"), ("焦作市人民医院", "远程会诊中心", "500"), ("修武县人民医院", "医养中心", "300")]):
        for cell, text in zip(row.cells, cells):
            cell.text = text
    document.add_paragraph("下一步，焦作市将开展家庭医生签约服务，覆盖全部乡镇。")
    document.save(str(path))


@pytest.fixture(scope="module")
def documents(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("formats") / "documents"
    (folder / "site").mkdir(parents=True)
    gov_meta = (
        f'<meta name="SiteName" content="{SITE}"><meta name="ArticleTitle" content="焦作市推进医养中心建设">'
        '<meta name="PubDate" content="2023-05-12 09:30"><meta name="ContentSource" content="焦作市卫生健康委员会"><meta name="Author" content="王明">'
    )
    jiaozuo = commission_page("焦作市推进医养中心建设", JIAOZUO, "发布时间：2023-05-12 09:30　来源：焦作市卫生健康委员会", head=gov_meta)
    (folder / "site" / "jiaozuo.html").write_text(jiaozuo, encoding="utf-8")
    nanyang = commission_page("南阳市启动家庭医生签约服务提质行动", NANYANG, "发布日期：2023年06月02日　来源：南阳市卫生健康委员会　作者：李华", charset="gb2312", declare="http-equiv")
    (folder / "site" / "nanyang.htm").write_bytes(nanyang.encode("gbk"))
    (folder / "site" / "list.html").write_text(list_page(), encoding="utf-8")
    notice_pdf(folder / "notice.pdf")
    scanned_pdf(folder / "scan.pdf")
    report_docx(folder / "report.docx")
    (folder / "budget.xlsx").write_bytes(b"PK\x03\x04" + bytes(200))
    return folder


@pytest.fixture(scope="module")
def built(documents, tmp_path_factory):
    return build([documents], tmp_path_factory.mktemp("formats-out") / "out")


def articles(built) -> dict[str, dict[str, str]]:
    """Each article's metadata and clean text, by its file, through SPARQL."""
    _, rows = run_query("""
        SELECT ?file ?title ?date ?source ?publisher ?creator ?text WHERE {
            ?a a kg:Article ; kg:sourceFile ?file ; kg:cleanText ?text .
            OPTIONAL { ?a dcterms:title ?title } OPTIONAL { ?a dcterms:date ?date }
            OPTIONAL { ?a dcterms:source ?source } OPTIONAL { ?a dcterms:publisher ?publisher }
            OPTIONAL { ?a dcterms:creator ?creator }
        }""", out_dir=built.out_dir)  # fmt: skip
    names = ["title", "date", "source", "publisher", "creator", "text"]
    return {row[0]: dict(zip(names, row[1:])) for row in rows}


def mentions(built, file: str) -> set[str]:
    """The surface forms of the entities found in one file's article."""
    _, rows = run_query(f"""
        SELECT DISTINCT ?surface WHERE {{
            ?m a kg:Mention ; kg:surface ?surface ; prov:wasDerivedFrom/kg:sourceFile "{file}" .
        }}""", out_dir=built.out_dir)  # fmt: skip
    return {row[0] for row in rows}


def test_every_file_is_built_or_named_with_the_reason_it_was_skipped(built):
    reasons = {e.path.name: e.reason for e in built.skipped}
    assert reasons == {
        "budget.xlsx": "not a supported format",
        "list.html": "a list page of 8 news items, not an article: save the articles' own pages",
        "scan.pdf": "no text layer: OCR it first",
    }
    first_line = summary(built).splitlines()[0]
    assert (
        "7 files: 4 built, 3 skipped (budget.xlsx: not a supported format; scan.pdf: no text layer: OCR it first; "
        "list.html: a list page of 8 news items, not an article: save the articles' own pages); 4 articles"
    ) in first_line
    assert built.counts.articles == 4


def test_web_page_article_keeps_its_metadata_in_the_graph(built):
    page = articles(built)["documents/site/jiaozuo.html"]
    assert page["title"] == "焦作市推进医养中心建设"
    assert page["date"] == "2023-05-12"
    assert (page["source"], page["publisher"], page["creator"]) == ("焦作市卫生健康委员会", SITE, "王明")
    assert page["text"] == "\n".join(["焦作市推进医养中心建设", *JIAOZUO])


def test_gbk_page_is_read_as_it_declares_with_labelled_metadata(built):
    page = articles(built)["documents/site/nanyang.htm"]
    assert page["text"] == "\n".join(["南阳市启动家庭医生签约服务提质行动", *NANYANG])
    assert (page["date"], page["source"], page["creator"], page["publisher"]) == ("2023-06-02", "南阳市卫生健康委员会", "李华", SITE)


def test_a_query_filters_articles_by_date_and_source(built):
    _, rows = run_query("""
        SELECT ?title WHERE {
            ?a dcterms:title ?title ; dcterms:date ?date ; dcterms:source ?source .
            FILTER(?date >= "2023-06-01"^^xsd:date && CONTAINS(?source, "南阳"))
        }""", out_dir=built.out_dir)  # fmt: skip
    assert rows == [["南阳市启动家庭医生签约服务提质行动"]]


@pytest.mark.parametrize("file", ["documents/site/jiaozuo.html", "documents/site/nanyang.htm"])
def test_site_boilerplate_is_neither_text_nor_entities(built, file):
    text = articles(built)[file]["text"]
    for chrome in [*MENU, "当前位置", "分享到", "打印本页", "相关链接", *RELATED, "主办单位", "豫ICP备", "版权所有", "浏览次数"]:
        assert chrome not in text
    found = mentions(built, file)
    assert found, "the article itself yields entities"
    assert not found & {"河南省卫生健康信息中心", "洛阳市第三人民医院", "安阳市", "新乡市", "郑州市", SITE}


def test_pdf_text_loses_running_header_and_page_numbers_and_gets_its_lines_rebuilt(built):
    notice = articles(built)["documents/notice.pdf"]
    assert notice["title"] == NOTICE_TITLE and notice["date"] == "2023-05-12"
    assert RUNNING_HEADER not in notice["text"] and "- 1 -" not in notice["text"] and "- 2 -" not in notice["text"]
    # Lines cut inside words, and the sentence across the page break, read whole again.
    assert NOTICE[1].replace("⼈⺠", "人民") + NOTICE[2].replace("⾸", "首") in notice["text"]
    assert "焦作市人民医院" in mentions(built, "documents/notice.pdf")


def test_word_file_reads_paragraphs_and_table_rows_in_order(built):
    report = articles(built)["documents/report.docx"]
    assert report["title"] == "焦作市医养结合工作情况报告"
    assert report["text"].split("\n") == [
        "焦作市医养结合工作情况报告",
        "2023年，焦作市卫生健康委员会推进医养中心建设，全市新建医养中心12家。",
        "单位；项目；资金（万元）。",
        "焦作市人民医院；远程会诊中心；500。",
        "修武县人民医院；医养中心；300。",
        "下一步，焦作市将开展家庭医生签约服务，覆盖全部乡镇。",
    ]
    assert {"焦作市人民医院", "修武县人民医院"} <= mentions(built, "documents/report.docx")


def test_graph_of_documents_passes_shacl_validation_with_its_metadata(built):
    import pyshacl
    import rdflib

    data = rdflib.Graph().parse(built.out_dir / "graph.ttl")
    ontology = Path(__file__).resolve().parent.parent / "ontology"
    shapes, terms = rdflib.Graph().parse(ontology / "shapes.ttl"), rdflib.Graph().parse(ontology / "kg.ttl")
    conforms, _, report = pyshacl.validate(data, shacl_graph=shapes, ont_graph=terms, inference="rdfs", advanced=True)
    assert conforms, report[:3000]
    dates = list(data.objects(None, rdflib.DCTERMS.date))  # the two pages' and the notice's; the report has none
    assert len(dates) == 3 and all(d.datatype == rdflib.XSD.date for d in dates)


@pytest.mark.parametrize("declare", ["meta", "http-equiv"])
def test_gbk_page_is_decoded_by_its_declared_charset(tmp_path, declare):
    page = tmp_path / "p.html"
    page.write_bytes(commission_page("南阳市启动家庭医生签约服务提质行动", NANYANG, "来源：南阳市卫生健康委员会", charset="gbk", declare=declare).encode("gbk"))
    assert read_page(page, 10**6).text == "\n".join(NANYANG)


def locked_pdf(path: Path) -> None:
    from pypdf import PdfWriter

    notice_pdf(path)
    writer = PdfWriter(clone_from=str(path))
    writer.encrypt("secret")
    writer.write(str(path))


@pytest.mark.parametrize(
    "name, write, reason",
    [
        ("locked.pdf", locked_pdf, "the PDF has a password: save a copy without it first"),
        ("cut.pdf", lambda path: path.write_bytes(b"%PDF-1.4\n1 0 obj << /Type /Catalog"), "not a readable PDF"),
        ("cut.docx", lambda path: path.write_bytes(b"PK\x03\x04" + bytes(60)), "not a readable Word file"),
        ("menu.html", lambda path: path.write_text(f"<html><body><ul>{''.join(f'<li><a href=/>{m}</a></li>' for m in MENU)}</ul></body></html>"), "no article text in the page"),
    ],
)
def test_locked_damaged_or_empty_document_is_skipped_with_the_reason(tmp_path, name, write, reason):
    write(tmp_path / name)
    with pytest.raises(InputError) as error:
        read_page(tmp_path / name, 10**6)
    assert str(error.value).startswith(f"{tmp_path / name}: {reason}")


def run(*args: str):
    return CliRunner().invoke(main, list(args))


def test_unsupported_file_given_by_name_is_named_in_the_summary(tmp_path):
    page, sheet = tmp_path / "p.txt", tmp_path / "a.xlsx"
    page.write_text("2019年，驻马店市荣获全国脱贫攻坚奖。", encoding="utf-8")
    sheet.write_bytes(b"PK\x03\x04" + bytes(100))
    result = run("build", str(page), str(sheet), "-o", str(tmp_path / "out"), "-q")
    assert result.exit_code == 0, result.output
    assert "2 files: 1 built, 1 skipped (a.xlsx: not a supported format);" in result.output


def test_empty_folder_is_an_error_in_one_sentence(tmp_path):
    (tmp_path / "empty").mkdir()
    result = run("build", str(tmp_path / "empty"), "-o", str(tmp_path / "out"))
    assert result.exit_code != 0
    assert result.output.strip().splitlines() == [f"Error: no files to read in {tmp_path / 'empty'}: kg reads .txt, .md, .markdown, .text, .html, .htm, .pdf, .docx files"]
    assert not (tmp_path / "out").exists()


def test_folder_of_unreadable_files_is_an_error_naming_them(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    scanned_pdf(folder / "scan.pdf")
    (folder / "minutes.doc").write_bytes(b"\xd0\xcf\x11\xe0" + bytes(100))
    result = run("build", str(folder), "-o", str(tmp_path / "out"), "-q")
    assert result.exit_code != 0
    assert result.output.strip().splitlines()[-1] == (
        "Error: nothing to build: no file could be read (minutes.doc: old Word format: save it as .docx; scan.pdf: no text layer: OCR it first)"
    )
    assert not (tmp_path / "out").exists()


def test_many_skipped_files_are_listed_below_the_summary_and_hidden_files_ignored(tmp_path):
    folder = tmp_path / "in"
    (folder / ".git").mkdir(parents=True)
    (folder / ".DS_Store").write_bytes(bytes(64))
    (folder / ".git" / "HEAD").write_text("ref: refs/heads/main\n")
    (folder / "p.txt").write_text("2019年，驻马店市荣获全国脱贫攻坚奖。", encoding="utf-8")
    for i in range(6):
        (folder / f"sheet{i}.xlsx").write_bytes(b"PK\x03\x04" + bytes(100))
    lines = summary(build([folder], tmp_path / "out")).splitlines()
    assert "7 files: 1 built, 6 skipped (sheet0.xlsx: not a supported format; " in lines[0]
    assert "sheet3.xlsx: not a supported format; and 2 more, listed below);" in lines[0]
    listed = lines[lines.index("Skipped 6 files:") + 1 :][:6]
    assert listed == [f"  {folder / f'sheet{i}.xlsx'}: not a supported format" for i in range(6)]
