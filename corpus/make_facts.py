"""Fact sheets for the written corpus: who, where and what each document must say.

The corpus is made facts first. This script draws, for every document to write, a
genre, a place (a real province, prefecture-level city and county from the GB/T 2260
gazetteer, with invented townships and villages), bodies named the way real ones are
(嵩县人民医院, 某镇卫生院, 某市卫生健康委员会), people with posts, amounts of money in
varied notations, and a list of facts (relations of the SPEC) the text must state.
Writers then express the facts in their own words, in the genre's shape, and annotate
everything the finished text says by the guideline (GUIDELINE.md).

    python corpus/make_facts.py            # writes corpus/facts/<id>.json (fixed seed)

Every province gets documents, prefecture-level cities are drawn without repeats until
each province's list is used up, and the facts cycle over the properties so that each
gets well over a hundred examples.
"""

from __future__ import annotations

import json
import random
import sys
from pathlib import Path

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE.parent))

from kg import gazetteer  # noqa: E402

SEED = 20261207

#: genre -> (documents, what the writer is asked for, properties its facts draw from)
GENRES: dict[str, tuple[int, str, list[str]]] = {
    "newspaper": (
        100,
        "a news article for a provincial health newspaper (600-900 characters): a title line, "
        "then 本报讯（记者 … 通讯员 …）or a byline at the end (（记者 … 整理）, （通讯员 …）), "
        "sometimes a photo caption (… 摄). Articles are later set into OCR-style pages.",
        ["runs", "establishes", "funds", "leads", "passed", "received", "supports", "partnersWith", "memberOf", "targets", "locatedIn", "implements"],
    ),
    "commission_news": (
        70,
        "a news item on a health commission's website (卫健委网站动态, 500-900 characters): title, "
        "a source/date line (来源：… 发布时间：…), the body; relative names such as 市卫健委, 我委, 全市.",
        ["runs", "implements", "issues", "supports", "leads", "funds", "targets", "establishes"],
    ),
    "hospital_news": (
        60,
        "a hospital's own news item (医院新闻, 500-900 characters): 我院, 该院, 本院 for the hospital, "
        "departments that are not entities, named doctors with posts, visits and agreements.",
        ["passed", "received", "establishes", "partnersWith", "supports", "memberOf", "leads", "runs", "locatedIn"],
    ),
    "county_report": (
        45,
        "a county or township work summary or report (县卫健局工作总结, 乡镇卫生院工作汇报, 700-1200 "
        "characters), numbered sections (一、二、…（一）（二）), 全县/我县/我镇, lists of townships.",
        ["runs", "establishes", "funds", "memberOf", "locatedIn", "targets", "implements", "leads"],
    ),
    "work_report": (
        50,
        "the health and social-security section of a provincial or city government work report "
        "(政府工作报告, 700-1300 characters): numbered measures, most with no stated subject (the "
        "government is the implied agent), targets and amounts, 全省/全市.",
        ["runs", "implements", "establishes", "funds", "targets", "issues"],
    ),
    "policy": (
        60,
        "a policy document (通知, 实施方案, 意见, 管理办法; 800-1400 characters): a title naming the "
        "document, the issuer and addressees (各市、县（区）卫生健康委：), numbered measures with no "
        "stated subject, a closing issuer line and date. The document is itself a Policy its issuer issues.",
        ["issues", "implements", "runs", "targets", "establishes", "funds"],
    ),
    "explainer": (
        30,
        "an explainer of a policy (政策解读, 600-1100 characters): 《…》解读, questions and answers "
        "(一、出台背景 二、主要内容), who drafted it, what it targets.",
        ["issues", "implements", "targets", "runs"],
    ),
    "meeting": (
        45,
        "a meeting report (会议报道, 500-900 characters) with named officials and their posts "
        "(党组书记、主任 …, 副市长 …出席并讲话), what was decided, arranged or signed.",
        ["leads", "issues", "runs", "implements", "supports", "partnersWith"],
    ),
    "results_list": (
        40,
        "a published list of results (公示, 通报, 名单: awards, accreditations, pilots; 400-900 "
        "characters): a notice sentence, then enumerations (A、B、C…), or numbered lines, grouped by city.",
        ["received", "passed", "establishes", "runs"],
    ),
}

#: Added after the first 500 sheets (so those stay as they were): the two shapes of
#: government text the first genres cover least.
MORE_GENRES: dict[str, tuple[int, str, list[str]]] = {
    "report_sentences": (
        50,
        "the health-related sentences of a provincial or city government work report, one sentence per "
        "line, in the report's order (600-1200 characters): a title line (2026年…政府工作报告); dense "
        "sentences, most with no subject, each packing several measures (实施…工程，推进…建设，完善…机制); "
        "a few lines also about the economy or other fields that touch health (生物医药, 养老, 托育).",
        ["runs", "implements", "establishes", "funds", "targets", "issues"],
    ),
    "tcm_notice": (
        50,
        "a document of a provincial or city traditional-medicine administration or health commission "
        "(中医药管理局, 卫生健康委员会; 800-1500 characters): a notice (关于开展…的通知), a work plan "
        "(工作要点), an annual self-inspection or performance report (年度绩效管理工作自查情况), or an "
        "announcement of results; a title line, a date and issuer line, numbered sections "
        "(一、（一）1.), measures with no stated subject, 我局/本局 for the issuer.",
        ["issues", "implements", "runs", "targets", "establishes", "supports", "received", "passed"],
    ),
}

GIVEN = list("建国华明丽芳军伟强磊静敏燕红霞玉兰海波涛勇杰峰平亮辉鹏宇浩杰晓春秋东冬雪梅琳琴英颖慧丹婷欣悦雨晨阳光荣志刚文斌俊凯林森松柏永长庆福德贵宝新卫爱民中宏远振兴")
TOWN_A = list("东西南北大小新老上下前后中青白黄红石马龙凤金银柳杨桃李高双三五七八")
TOWN_B = list("山河湖桥庄集店岗沟坪岭营寨口湾溪坝铺林园塘泉关峪寺城堡洼")
VILLAGE_B = ["庄", "村", "河", "沟", "岭", "坪", "湾", "寨", "营", "屯", "店", "堡"]
THEMES = [
    "基层医疗卫生服务能力提升", "家庭医生签约服务", "医养结合与老年健康", "中医药传承创新", "妇幼健康与出生缺陷防治",
    "公共卫生应急与疾病防控", "慢性病综合防控", "健康扶贫与乡村振兴", "智慧医院与互联网+医疗健康", "医保支付方式改革",
    "药品耗材集中带量采购", "卫生人才培养与引进", "爱国卫生运动与健康城市", "心理健康与精神卫生", "传染病防控与疫苗接种",
    "癌症早诊早治与筛查", "托育服务与婴幼儿照护", "县域医共体建设", "紧密型城市医疗集团", "胸痛卒中创伤中心建设",
    "村卫生室标准化建设", "健康教育与健康素养促进", "职业健康保护", "医疗质量与患者安全", "中医药适宜技术推广",
    "分级诊疗与双向转诊", "全民健身与体医融合", "老年人健康管理", "急救体系建设", "对口支援与东西部协作",
]
MONEY = ["{a}.{b}亿元", "{c}万元", "{c}余万元", "{d}多万元", "{a}.{b} 亿元", "{cn}万元", "{a}亿多元", "{e}元", "{c:,}万元", "{a}.{b}{b2}亿元"]
CN = ["三千", "五百", "一千二百", "八百", "两千五百", "六百五十", "一千", "九百", "四千三百"]


def person(rng: random.Random, surnames: list[str]) -> str:
    return rng.choice(surnames) + "".join(rng.choice(GIVEN) for _ in range(rng.choice([1, 2, 2, 2])))


def township(rng: random.Random, surnames: list[str]) -> str:
    if rng.random() < 0.25:
        return rng.choice(surnames) + rng.choice(["集", "庄", "店", "寨", "营"]) + rng.choice(["镇", "乡"])
    return rng.choice(TOWN_A) + rng.choice(TOWN_B) + rng.choice(["镇", "镇", "乡", "街道"])


def village(rng: random.Random, surnames: list[str]) -> str:
    first = rng.choice(surnames) if rng.random() < 0.5 else rng.choice(TOWN_A)
    return first + rng.choice(VILLAGE_B) + "村" if rng.random() < 0.6 else first + rng.choice(TOWN_B) + "村"


def amount(rng: random.Random) -> str:
    form = rng.choice(MONEY)
    return form.format(a=rng.randint(1, 30), b=rng.randint(0, 9), b2=rng.randint(1, 9), c=rng.randint(50, 9000), d=rng.randint(2, 90) * 100,
                       cn=rng.choice(CN), e=rng.randint(20, 900) * 10000)


def bodies(rng: random.Random, province: str, city: str, county: str, towns: list[str], villages: list[str], surnames: list[str]) -> dict[str, list[str]]:
    """Names of bodies in this place, by SPEC class, built the way real ones are."""
    short_city = city.removesuffix("市")
    return {
        "GovernmentBody": [f"{province}卫生健康委员会", f"{city}卫生健康委员会", f"{county}卫生健康局", f"{city}医疗保障局", f"{county}人民政府",
                           f"{city}人民政府", f"{province}中医药管理局", f"{city}民政局", f"{county}财政局", f"{province}发展和改革委员会",
                           f"{province}教育厅", f"{city}人力资源和社会保障局", f"{towns[0]}人民政府"],
        "Hospital": [f"{county}人民医院", f"{county}中医医院", f"{city}第一人民医院", f"{city}中心医院", f"{city}妇幼保健院", f"{city}第三人民医院",
                     f"{province}人民医院", f"{city}中医院", f"{county}妇幼保健计划生育服务中心", f"{short_city}市传染病医院", f"{city}精神卫生中心"],
        "PrimaryCareFacility": [f"{towns[0]}卫生院", f"{towns[1]}中心卫生院", f"{towns[2]}社区卫生服务中心", f"{villages[0]}卫生室", f"{villages[1]}卫生室"],
        "CareFacility": [f"{towns[0]}医养结合服务中心", f"{county}康养中心", f"{city}老年养护院", f"{towns[1]}敬老院医养中心", f"{county}失能人员集中照护中心"],
        "MedicalAlliance": [f"{county}医共体", f"{county}人民医院医疗健康集团", f"{city}第一人民医院医联体", f"{city}中医医疗集团", f"{county}县域医疗卫生共同体"],
        "PublicHealthAgency": [f"{city}疾病预防控制中心", f"{county}疾病预防控制中心", f"{city}急救中心", f"{county}卫生健康综合监督执法大队", f"{city}血液中心"],
        "AcademicInstitution": [f"{province.removesuffix('省')}中医药大学" if province.endswith("省") else f"{province}中医药研究院", f"{short_city}卫生职业学院",
                                f"{province}医学科学院", f"{short_city}医学高等专科学校"],
        "Enterprise": [f"{short_city}{rng.choice(['康宁', '仁和', '华康', '永济', '天元', '瑞丰'])}医药有限公司", f"{rng.choice(['中国人寿', '中国人保', '太平洋人寿'])}{short_city}分公司",
                       f"{short_city}{rng.choice(['智慧', '云帆', '健业', '同心'])}健康科技有限公司", f"{rng.choice(['国药控股', '华润医药', '九州通'])}{short_city}有限公司"],
        "Organization": [f"{city}红十字会", f"{province}医学会", f"{county}残疾人联合会", f"{city}医师协会", f"{province}老年医学学会"],
    }


def facts_for(rng: random.Random, genre: str, props: list[str], where: dict, named: dict[str, list[str]], people: list[str], amounts: list[str], themes: list[str], other: dict) -> list[str]:
    """Sentences describing the facts the text must state (the writer picks the words)."""
    pick = lambda cls: rng.choice(named[cls])  # noqa: E731
    org = lambda: pick(rng.choice(["Hospital", "Hospital", "PrimaryCareFacility", "PublicHealthAgency", "GovernmentBody", "MedicalAlliance"]))  # noqa: E731
    agent = lambda: rng.choice([where["county"], where["city"], pick("GovernmentBody"), pick("Hospital")])  # noqa: E731
    theme = lambda: rng.choice(themes)  # noqa: E731
    make = {
        "runs": lambda: f"runs: {agent()} runs a named Program about 「{theme()}」 (name it: …工程/行动/项目/试点/服务/计划, or a quoted name)",
        "establishes": lambda: f"establishes: {agent()} establishes {rng.choice([pick('CareFacility'), pick('MedicalAlliance'), pick('PrimaryCareFacility'), 'a named Program about 「' + theme() + '」', 'a named 中心 (胸痛中心, 卒中中心, 名医工作室…) of ' + pick('Hospital')])}",
        "issues": lambda: f"issues: {rng.choice([pick('GovernmentBody'), where['province'], where['city']])} issues a named Policy about 「{theme()}」 (a 《…》 title, or a 制度/办法/机制 named in words)",
        "implements": lambda: f"implements: {agent()} implements a named Policy about 「{theme()}」 (制度, 政策, 模式, 《…》)",
        "passed": lambda: f"passed: {pick(rng.choice(['Hospital', 'Hospital', 'PrimaryCareFacility']))} passed an accreditation ({rng.choice(['二级甲等医院评审', '三级甲等医院复审', '三级乙等医院评审', '国家级胸痛中心认证', '国家高级卒中中心验收', '“优质服务基层行”推荐标准评审', '社区医院评审', '爱婴医院复核', '二级乙等医院评审', '国家标准化代谢性疾病管理中心认证'])}), with the year",
        "received": lambda: f"received: {rng.choice([pick('Hospital'), pick('PrimaryCareFacility'), where['county'], people[0], pick('PublicHealthAgency'), pick('GovernmentBody')])} received an award or title ({rng.choice(['全国卫生健康系统先进集体', '省级文明单位', '全国五一劳动奖状', '全国三八红旗手', '国家卫生县城', '全国基层中医药工作示范县', '省级巾帼文明岗', '全国优秀县级医院', '群众满意的乡镇卫生院', '全国健康促进县', '省级青年文明号', '全国医德标兵', '省优秀共产党员'])}, or another real-sounding one)",
        "supports": lambda: f"supports: {rng.choice([pick('Hospital'), other['hospital'], other['province'], other['city'], pick('GovernmentBody')])} supports {rng.choice([pick('PrimaryCareFacility'), where['county'], pick('Hospital'), other['county']])} (对口支援, 帮扶, 驰援, 结对帮扶)",
        "partnersWith": lambda: f"partnersWith: {pick('Hospital')} partners with {rng.choice([pick('AcademicInstitution'), pick('Enterprise'), other['hospital'], pick('Organization')])} (签署…协议, 合作, 共建)",
        "funds": lambda: f"funds: {rng.choice([where['city'], where['county'], pick('GovernmentBody'), pick('Enterprise'), pick('Organization')])} puts {rng.choice(amounts)} into {rng.choice(['a named Program about 「' + theme() + '」', pick('PrimaryCareFacility'), pick('CareFacility'), pick('Hospital')])}",
        "memberOf": lambda: f"memberOf: {pick(rng.choice(['PrimaryCareFacility', 'Hospital']))} is a member of / joins {pick('MedicalAlliance')} (纳入, 加入, 成员单位)",
        "locatedIn": lambda: f"locatedIn: the text says where {rng.choice([pick('CareFacility'), pick('PrimaryCareFacility'), pick('Hospital'), pick('Enterprise')])} is ({rng.choice([where['township'], where['county'], where['village']])}; 位于, 坐落在, 地处)",
        "leads": lambda: f"leads: {rng.choice(people)} holds a post heading {rng.choice([pick('Hospital'), pick('GovernmentBody'), where['county'], where['city'], pick('PublicHealthAgency')])} (院长, 主任, 局长, 党委书记, 县长, 副市长…)",
        "targets": lambda: f"targets: a Program or Policy about 「{theme()}」 is for a group or condition ({rng.choice(['65岁以上老年人', '0-6岁儿童', '农村适龄妇女', '建档立卡脱贫人口', '高血压、糖尿病患者', '重度失能老人', '孕产妇', '在校学生', '严重精神障碍患者', '35-64岁农村妇女'])}, or another)",
    }
    n = {"results_list": 5, "work_report": 9, "policy": 8, "report_sentences": 9, "tcm_notice": 8}.get(genre, 7)
    chosen = rng.sample(props, min(n, len(props))) if len(props) >= n else props + rng.sample(props, n - len(props))
    return [make[p]() for p in chosen]


def main() -> None:
    rng = random.Random(SEED)
    gaz = gazetteer.load()
    surnames = (gazetteer.LEXICON / "surnames.txt").read_text(encoding="utf-8").split("\n", 1)[1].split()
    provinces = sorted((r for r in gaz.by_code.values() if r.level == "Province" and r.code[:2] not in ("71", "81", "82")), key=lambda r: r.code)
    children: dict[str, list] = {}
    for region in gaz.by_code.values():
        children.setdefault(region.parent_code, []).append(region)
    unused_cities = {p.code: sorted((c for c in children.get(p.code, []) if c.level == "City"), key=lambda r: r.code) for p in provinces}
    for cities in unused_cities.values():
        rng.shuffle(cities)
    out = HERE / "facts"
    out.mkdir(exist_ok=True)
    plan = [genre for genre, (count, _, _) in GENRES.items() for _ in range(count)]
    rng.shuffle(plan)
    more = [genre for genre, (count, _, _) in MORE_GENRES.items() for _ in range(count)]
    random.Random(SEED + 1).shuffle(more)
    plan += more
    genres = {**GENRES, **MORE_GENRES}
    for index, genre in enumerate(plan):
        province = provinces[index % len(provinces)]
        cities = unused_cities[province.code] or sorted((c for c in children.get(province.code, []) if c.level == "City"), key=lambda r: r.code)
        if not cities:  # a municipality: its districts and counties stand in for cities
            city = province
        else:
            city = cities.pop() if unused_cities[province.code] else rng.choice(cities)
        counties = [c for c in children.get(city.code, []) if c.level == "County"] or [c for c in children.get(province.code, []) if c.level == "County"]
        if not counties:  # a city without counties (东莞市): a county of another city of the province
            counties = [c for p in children.get(province.code, []) for c in children.get(p.code, []) if c.level == "County"]
        county = rng.choice(counties)
        other_province = rng.choice([p for p in provinces if p.code != province.code])
        other_cities = [c for c in children.get(other_province.code, []) if c.level == "City"] or [other_province]
        other_city = rng.choice(other_cities)
        other_counties = [c for c in children.get(other_city.code, []) if c.level == "County"] or [county]
        towns = [township(rng, surnames) for _ in range(4)]
        villages = [village(rng, surnames) for _ in range(3)]
        city_name = city.name if city is not province else province.name
        where = {"province": province.name, "city": city_name, "county": county.name, "township": towns[0], "village": villages[0]}
        named = bodies(rng, province.name, city_name, county.name, towns, villages, surnames)
        people = [person(rng, surnames) for _ in range(4)]
        other = {"province": other_province.name, "city": other_city.name, "county": rng.choice(other_counties).name,
                 "hospital": f"{other_city.name}{rng.choice(['第一人民医院', '中心医院', '人民医院', '中医院'])}"}
        amounts = [amount(rng) for _ in range(3)]
        themes = rng.sample(THEMES, 3)
        count, description, props = genres[genre]
        sheet = {
            "id": f"{index + 1:03d}-{genre}-{province.name}",
            "genre": genre,
            "write": description,
            "year": rng.choice([2019, 2020, 2021, 2022, 2023, 2024, 2025, 2026]),
            "place": where,
            "other_place": other,
            "townships": towns,
            "villages": villages,
            "people": people,
            "amounts": amounts,
            "themes": themes,
            "bodies": named,
            "facts": facts_for(rng, genre, props, where, named, people, amounts, themes, other),
        }
        (out / f"{sheet['id']}.json").write_text(json.dumps(sheet, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"{len(plan)} fact sheets in {out}")


if __name__ == "__main__":
    main()
