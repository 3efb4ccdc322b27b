"""Splitting pages into articles: titles printed after the body, bylines, regions."""

from __future__ import annotations

from pathlib import Path

import pytest

from kg.articles import split_page

SEEDS = Path(__file__).resolve().parent.parent / "seeds"


def articles(name: str):
    page = next(SEEDS.glob(f"{name}*.txt"))
    return [a for a in split_page(page.read_text(encoding="utf-8"), page.stem) if a.kind == "article"]


def test_page_of_eight_city_reports_splits_into_eight_articles_with_their_titles():
    found = [(a.region.name, a.title) for a in articles("000")]
    assert found == [
        ("开封市", "开封：全力推动中医药事业高质量发展"),
        ("洛阳市", "洛阳：基层医疗服务能力显著提升"),
        ("安阳市", "安阳：全面开展重大疾病筛查"),
        ("焦作市", "焦作：构建多元化养老服务体系"),
        ("濮阳市", "濮阳：全域医疗服务能力持续提升"),
        ("许昌市", "许昌：办好民生实事打造“三圈两网”"),
        ("信阳市", "信阳：科学防控坚决打赢疫情防控阻击战"),
        ("驻马店市", "驻马店：全面实现健康扶贫规范化标准化制度化"),
    ]


@pytest.mark.parametrize(
    "sentence, city",
    [
        ("投资34.3亿元，对21家县级医疗机构改建扩建", "洛阳市"),
        ("投入3400余万元建设急危重症三级救治网", "许昌市"),
        ("开封市中医院成为全市卫生健康系统首家“市长质量奖”获得者", "开封市"),
        ("濮阳市第三人民医院成功创建二级甲等医院", "濮阳市"),
        ("焦作市45家医养中心共投入建设资金2.04亿元", "焦作市"),
    ],
)
def test_each_sentence_belongs_to_its_citys_article(sentence, city):
    holders = [a.region.name for a in articles("000") if sentence in a.text]
    assert holders == [city]


def test_titles_gathered_at_the_foot_of_the_page_find_their_articles():
    """Page 001 prints both titles and bylines after the bodies, and the leads last."""
    found = {a.title: a for a in articles("001")}
    assert set(found) == {"郑州：全力打赢脱贫攻坚战", "驻马店：互联网助力健康扶贫"}
    assert "郑州市充分利用现有医保制度" in found["郑州：全力打赢脱贫攻坚战"].text
    assert "驻马店市卫生健康体育委员会以信息化建设为载体" in found["驻马店：互联网助力健康扶贫"].text
    assert found["驻马店：互联网助力健康扶贫"].byline == "本报记者 冯金灿 丁宏伟 通讯员 王丽 文/图"


def test_short_news_items_are_articles_of_their_own():
    regions = [a.region.name for a in articles("003")]
    assert regions[:5] == ["舞阳县", "平舆县", "新县", "滑县", "偃师市"]
    items = {a.title: a for a in articles("003")}
    assert "新野县贫困村标准化卫生室建设集中开工" in items
    assert items["新野县贫困村标准化卫生室建设集中开工"].byline == "（乔晓娜 胡丰旺）"


def test_markdown_page_splits_at_its_top_headings():
    titles = [a.title for a in articles("004")]
    assert titles == ["许昌 探索建立四项长效机制", "信阳 高效推进健康扶贫工作"]


def test_photo_captions_are_kept_apart_from_the_articles():
    page = next(SEEDS.glob("002*.txt"))
    kinds = [a.kind for a in split_page(page.read_text(encoding="utf-8"), page.stem)]
    assert kinds.count("caption") == 7 and kinds.count("article") == 1


#: A hospital's web page from another province (invented): a title, a line with the
#: author, date and source, the body, and photo captions between its paragraphs.
HOSPITAL_PAGE = """院领导赴协作卫生院推动优质资源下基层
作者：林小舟 加入时间：2018/5/10 9:12:05 来源：院办
5月8、9日，泉州市妇幼保健院院长林志远、副院长郑雅琴、保健部主任何秀兰一行，先后走访了安溪县桃溪卫生院、杏林卫生院和洛江区柳湾卫生院，就对口协作工作与3家卫生院负责人座谈交流。
院领导在安溪桃溪卫生院座谈
此前，在4月下旬召开的全市医疗资源下基层工作推进会上，泉州市妇幼保健院与上述3家卫生院签订了协作办医协议。
此次走访中，双方围绕人才培养和技术帮扶交换了意见。林志远院长表示，医院将根据卫生院的实际需要，选派骨干医师定期坐诊，帮助卫生院提升妇幼保健服务能力。
在安溪杏林卫生院了解协作需求
下一步，泉州市妇幼保健院将细化协作内容，接收卫生院医护人员到相关科室进修，推动双方交流常态化。
走访洛江区柳湾卫生院
"""


def test_single_article_page_from_another_province_stays_whole():
    [article] = split_page(HOSPITAL_PAGE, "hospital-page")
    assert article.title == "院领导赴协作卫生院推动优质资源下基层"
    assert article.region.name == "泉州市"


#: An official notice as saved from a bureau's site (written for this test): title, date
#: line, document number and address line, each on a line of its own, then long paragraphs.
NOTICE = """关于做好乡村医生能力提升培训工作的通知
2021-04-12 来源：本站

甘中医发〔2021〕8号
各市州卫生健康委、各有关医疗机构：
为进一步提高乡村医生中医药服务能力，根据国家中医药管理局有关工作部署，我局决定在全省开展乡村医生能力提升培训，每个县确定一家培训基地，培训内容包括中医适宜技术、常见病多发病诊疗和合理用药等，请各地结合实际认真组织实施，确保培训取得实效。
请各市州于5月31日前将培训计划报我局医政处。
甘肃省中医药管理局
2021年4月12日
"""


def test_a_notice_keeps_its_title_apart_from_its_date_number_and_address_lines():
    [notice] = split_page(NOTICE, "notice")
    assert notice.title == "关于做好乡村医生能力提升培训工作的通知"
    lines = notice.text.split("\n")
    assert lines[1:4] == ["2021-04-12来源：本站", "甘中医发〔2021〕8号", "各市州卫生健康委、各有关医疗机构："]
    assert lines[4].startswith("为进一步提高乡村医生")
    assert lines[-2:] == ["甘肃省中医药管理局", "2021年4月12日"]
