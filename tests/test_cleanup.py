"""OCR clean-up on real seed lines: broken words and numbers, paragraphs, widths."""

from __future__ import annotations

import pytest

from kg.cleanup import normalize_chars, paragraphs, tidy
from kg.lexicon import radicals


def body(raw: str) -> list[str]:
    return [tidy(p.text) for p in paragraphs(raw)]


@pytest.mark.parametrize(
    "raw, expected",
    [
        # A place name broken across lines inside a full column.
        ("在全省卫生健康工作会上，开封、\n洛阳、安阳、焦作、濮阳、许昌、信阳、驻\n马店8个省辖市结合各自卫生健康工作\n实际，进行了典型发言。",
         ["在全省卫生健康工作会上，开封、洛阳、安阳、焦作、濮阳、许昌、信阳、驻马店8个省辖市结合各自卫生健康工作实际，进行了典型发言。"]),
        # A person's name broken, and a column break (blank line) in the middle of a sentence.
        ("近年来，洛阳市卫生健康委认真贯彻习近\n平总书记的重要指示，致力于建机制、保基本、\n\n强基层，实现了发展态势。",
         ["近年来，洛阳市卫生健康委认真贯彻习近平总书记的重要指示，致力于建机制、保基本、强基层，实现了发展态势。"]),
        # Spaces inside numbers.
        ("着力改善基层医疗服务条件。洛阳市抓\n硬件、打基础，实施县级医院、乡镇卫生院提\n升工程，3年时间，投资 34.3亿元，对 21家县\n级医疗机构改建扩建；投资 2亿元，完成全市\n152家乡镇卫生院提升改造；",
         ["着力改善基层医疗服务条件。洛阳市抓硬件、打基础，实施县级医院、乡镇卫生院提升工程，3年时间，投资34.3亿元，对21家县级医疗机构改建扩建；投资2亿元，完成全市152家乡镇卫生院提升改造；"]),
    ],
)
def test_cleaner_joins_lines_broken_inside_words_and_numbers(raw, expected):
    assert body(raw) == expected


def test_cleaner_keeps_a_short_heading_apart_from_the_text_after_it():
    raw = "开封是历史文化名城，大宋中医药文化\n的传承地。\n\n以项目为契机，打造中医药高地\n开封做实国家传承创新工程，在中国（河\n\n南）自由贸易试验区开封片区获得土地120亩。"
    assert [(p.kind, tidy(p.text)) for p in paragraphs(raw)] == [
        ("body", "开封是历史文化名城，大宋中医药文化的传承地。"),
        ("heading", "以项目为契机，打造中医药高地"),
        ("body", "开封做实国家传承创新工程，在中国（河南）自由贸易试验区开封片区获得土地120亩。"),
    ]


def test_cleaner_drops_page_furniture():
    raw = " 3聚焦全省卫生健康工作会\n\n漯河市卫生健康委员会漯河市卫生健康委员会\n\n---\n许昌市委高度重视。"
    assert body(raw) == ["许昌市委高度重视。"]


def test_cleaner_recognises_photo_credits_as_captions():
    kinds = [p.kind for p in paragraphs("8月8日，我市支援哈密伊吾医疗检验工作队抵达伊吾县。 刘向前 摄\n\n王正勋 侯林峰 郭雪莹/摄")]
    assert kinds == ["caption", "caption"]


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("２０２０年ＣＴ检查", "2020年CT检查"),
        ("县(市、区)", "县（市、区）"),
        ("小病不出村,大病不出县", "小病不出村，大病不出县"),
        ("PPP (Public-Private-Partnership)", "PPP (Public-Private-Partnership)"),  # must not change
        ("新冠肺炎", "新冠肺炎"),  # must not change
    ],
)
def test_normalises_width_where_it_matters(raw, expected):
    assert normalize_chars(raw) == expected


def test_byline_names_stay_apart_after_tidying():
    assert tidy("本报记者 冯金灿 丁宏伟 通讯员 王 丽 文/图") == "本报记者 冯金灿 丁宏伟 通讯员 王丽 文/图"
    assert tidy("要振奋精神，完成建设任务。 （乔晓娜 胡丰旺）") == "要振奋精神，完成建设任务。（乔晓娜 胡丰旺）"


@pytest.mark.parametrize(
    "radical, ideograph",
    [("⼈", "人"), ("⺠", "民"), ("⾸", "首"), ("⻓", "长"), ("⻩", "黄"), ("⻔", "门"), ("⻋", "车")],
)
def test_radicals_in_a_text_layer_become_the_ideographs(radical, ideograph):
    assert normalize_chars(f"焦作市{radical}") == f"焦作市{ideograph}"


def test_every_radical_mapped_becomes_a_unified_ideograph():
    table = radicals.table()
    assert set(radicals.KANGXI) <= set(table), "NFKC maps every Kangxi radical"
    supplement = [code for code in radicals.SUPPLEMENT if code in table]
    assert len(supplement) >= 100  # of the 115: the rest have no equivalent ideograph
    unified = [range(0x4E00, 0xA000), range(0x3400, 0x4DC0), range(0x20000, 0x32000)]
    for code in [*radicals.KANGXI, *supplement]:
        assert any(ord(table[code]) in block for block in unified), hex(code)
