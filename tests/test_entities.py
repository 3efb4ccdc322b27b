"""The rule families' entities and canonical names, on real seed sentences and sentences
written in the style of other provinces' news. The rules run alone here: they are what
`kg build --rules` runs and what the trained recogniser reads as features (its own
behaviour is tested in test_learned.py)."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="module")
def analyse(rules_analyse):
    return rules_analyse


def ents(doc):
    return [(e._.kg_label, e.label_) for e in doc.ents]


@pytest.mark.parametrize(
    "text, region, expected",
    [
        # Relative names resolve against the article's place.
        ("近年来，市卫生健康委认真贯彻重要指示。", "洛阳市", [("洛阳市卫生健康委员会", "GovernmentBody")]),
        ("舞阳县人民医院、县中心医院、县中医院借助省级医院区域协同医疗平台", "舞阳县",
         [("舞阳县人民医院", "Hospital"), ("舞阳县中心医院", "Hospital"), ("舞阳县中医院", "Hospital")]),
        ("该县严格执行相关办法，全县共对189人次发放救助资金。", "新县", [("新县", "County"), ("新县", "County")]),
        ("我市统一调配工作力量，市卫健委坚决贯彻总体策略。", "漯河市", [("漯河市", "City"), ("漯河市卫生健康委员会", "GovernmentBody")]),
        ("受到省卫健委主任阚全程的充分肯定", "漯河市", [("河南省卫生健康委员会", "GovernmentBody"), ("阚全程", "Person")]),
        # A department written alone is the department of the article's place.
        ("民政部门兜底，由县财政部门出资", "新县", [("新县民政局", "GovernmentBody"), ("新县财政局", "GovernmentBody")]),
        ("并积极与发改委协调", "许昌市", [("许昌市发展和改革委员会", "GovernmentBody")]),
        # A relative name with nothing to resolve to is dropped, not guessed.
        ("以县人民医院为龙头，组建紧密型医共体", "洛阳市", []),
    ],
)
def test_relative_names_resolve_to_the_articles_place(analyse, text, region, expected):
    assert ents(analyse(text, region)) == expected


@pytest.mark.parametrize(
    "text, expected",
    [
        ("使固始县人民医院成功通过“二甲”验收评审", ("二级甲等医院评审", "Accreditation")),
        ("濮阳市第三人民医院成功创建二级甲等医院", ("二级甲等医院评审", "Accreditation")),
        ("市中医医院顺利通过三级甲等医院复审", ("三级甲等医院复审", "Accreditation")),
        ("福建省政府《关于推进社区康复服务发展的实施意见》", ("福建省人民政府", "GovernmentBody")),
        ("国家卫生计生委科教司副巡视员宋嘉禾", ("国家卫生和计划生育委员会科技教育司", "GovernmentBody")),
        ("在各地全面推开“分级诊疗”的改革进程中", ("分级诊疗制度", "Policy")),
    ],
)
def test_aliases_fold_to_one_canonical_name(analyse, text, expected):
    assert expected in ents(analyse(text, "濮阳市"))


@pytest.mark.parametrize(
    "text, expected",
    [
        ("共建河南大学中医院，成立河南大学中医药研究院", [("河南大学中医院", "Hospital"), ("河南大学中医药研究院", "AcademicInstitution")]),
        ("引进德国蕾娜范养老集团和上海和佑养老集团等一批中高端养老机构",
         [("德国蕾娜范养老集团", "Enterprise"), ("上海和佑养老集团", "Enterprise")]),
        ("分别走访了安溪县桃溪卫生院、杏林卫生院和洛江区柳湾卫生院",
         [("安溪县桃溪卫生院", "PrimaryCareFacility"), ("安溪县杏林卫生院", "PrimaryCareFacility"), ("洛江区柳湾卫生院", "PrimaryCareFacility")]),
        ("黑龙江省大兴安岭地区呼玛县白桦乡3村卫生室的鄂伦春族村医", [("呼玛县白桦乡3村卫生室", "PrimaryCareFacility")]),
        ("医务志愿者到源汇区问十乡曹店村参加活动", [("源汇区", "County"), ("问十乡", "Township"), ("曹店村", "Village")]),
    ],
)
def test_finds_full_names_of_bodies_and_places(analyse, text, expected):
    assert ents(analyse(text)) == expected


@pytest.mark.parametrize(
    "text",
    [
        "全市二级以上综合医院和专科医院全部设置中医科", "全市9家县人民医院和县中医院全部通过评审", "组织乡、村两级医疗卫生人员",
        "即将此项列入年度惠民工程", "争取县级临床专科项目15个", "将其定为“一号工程”",
        "保证工程质量和工程安全", "督导各地医疗机构项目进展",
        # a quoted goal, a quoted team, a quotation explained: no program
        "聚焦让群众“看得起病、看得好病”的工作目标", "成立“1+2”家庭签约服务团队", "“三横”即远程诊疗服务",
    ],
)
def test_categories_are_not_entities(analyse, text):
    assert [e for e in ents(analyse(text, "驻马店市")) if e[1] not in ("City", "County")] == []


def test_a_program_name_ends_before_the_common_noun_after_it(analyse):
    assert ents(analyse("用于国家中医药传承创新工程项目建设", "开封市")) == [("国家中医药传承创新工程", "Program")]


@pytest.mark.parametrize(
    "text, expected",
    [
        ("实行“县带乡、乡带村”的人才带训模式", [("县带乡、乡带村", "Policy")]),
        ("按照“五精准”的要求，医共体内实行“十统一”管理", [("五精准", "Policy"), ("十统一", "Policy")]),
        ("持续完善住院医师规范化培训项目", [("住院医师规范化培训项目", "Program")]),
        ("落实出生缺陷产前筛查和新生儿疾病筛查", [("出生缺陷产前筛查", "Program"), ("新生儿疾病筛查", "Program")]),
    ],
)
def test_a_quoted_or_verb_led_name_is_only_the_name(analyse, text, expected):
    assert ents(analyse(text, "洛阳市")) == expected


@pytest.mark.parametrize(
    "text, expected",
    [
        ("完成新生儿“两病”筛查1.2万人", [("新生儿“两病”筛查", "Program")]),
        ("推进互联网+健康扶贫“一卡通”项目建设", [("互联网+健康扶贫“一卡通”项目", "Program")]),
        ("实施免费“两癌、两筛”民生实事项目", [("“两癌、两筛”民生实事项目", "Program")]),
        ("大力实施“369”人才工程", [("“369”人才工程", "Program")]),
        ("建设城市社区15分钟健康圈", [("城市社区15分钟健康圈", "Program")]),
        ("实现贫困人口慢性病签约服务全覆盖", [("慢性病签约服务", "Program")]),
        ("实施困难群众慢性病免费干预项目", [("困难群众慢性病免费干预项目", "Program")]),
        ("全面推进村卫生室标准化建设", [("村卫生室标准化建设", "Program")]),
        # what a government lists among its projects for the people is a program; an aim is not
        ("连续三年将社区康复站建设列入市级民生实事", [("社区康复站建设", "Program")]),
        ("把提升妇幼服务能力列入民生实事", []),
        # a training course is a program, named by its topics; 本次培训班 only refers to one
        ("举办为期5天的村医急救技能培训班", [("村医急救技能培训班", "Program")]),
        ("举办了传染病报告、慢病随访技术培训班", [("传染病报告、慢病随访技术培训班", "Program")]),
        ("在本次集中培训班上", []),
        # what a kind of program sums up (…等妇幼健康项目) is a program of that kind
        ("落实孕前优生健康检查、农村妇女增补叶酸和新生儿听力筛查等妇幼健康项目",
         [("孕前优生健康检查", "Program"), ("农村妇女增补叶酸", "Program"), ("新生儿听力筛查", "Program"), ("妇幼健康项目", "Program")]),
        ("尤其对老年陪护、助浴和居家康复等群众需求很大的服务项目关注不够", []),
        # a pilot of works is named with them; what comes before 和 in works' name is not theirs
        ("建成1小时急危重症急救圈", [("急危重症急救圈", "Program")]),
        ("升级为“互联网+医疗健康”综合服务平台", [("“互联网+医疗健康”综合服务平台", "Program")]),
        ("以“互联网+家庭医生”签约新模式为抓手", [("“互联网+家庭医生”签约模式", "Policy")]),
        ("以夯实为目标，服务城乡融合发展战略", [("城乡融合发展战略", "Program")]),
        ("依托国家城市医联体建设试点市、紧密型县域医共体建设试点县和县域医疗中心建设项目",
         [("国家城市医联体建设试点", "Program"), ("紧密型县域医共体建设试点", "Program"), ("县域医疗中心建设", "Program")]),
    ],
)
def test_a_program_name_takes_the_words_that_name_it_and_not_those_that_describe_it(analyse, text, expected):
    assert ents(analyse(text, "铜仁市")) == expected


@pytest.mark.parametrize(
    "text, region, expected",
    [
        # a city's 指挥部 is an organ of its government, named with the city; a 专班 or a team is not
        ("成立了由副市长任组长，各部门组成的健康扶贫行动指挥部", "郑州市", [("郑州市健康扶贫行动指挥部", "GovernmentBody")]),
        ("天使减贫医疗服务队到村开展义诊", "漯河市", [("天使减贫医疗服务队", "Organization")]),
        ("市疾控中心成立疫情信息收集汇总专班", "漯河市", [("疫情信息收集汇总专班", "Organization")]),
    ],
)
def test_task_forces_and_teams_are_named_by_their_task(analyse, text, region, expected):
    assert [e for e in ents(analyse(text, region)) if e[1] in ("Organization", "GovernmentBody")] == expected


def test_each_centre_of_a_list_is_a_body(analyse):
    text = "打造10个区域医疗中心，生殖遗传中心、心血管治疗中心、呼吸与危重症中心建设加快"
    expected = [("生殖遗传中心", "Organization"), ("心血管治疗中心", "Organization"), ("呼吸与危重症中心", "Organization")]
    assert [e for e in ents(analyse(text, "漯河市")) if e[1] == "Organization"] == expected


def test_regions_carry_their_official_code(analyse):
    doc = analyse("积极推进嵩县、伊川县县域医疗中心建设", "洛阳市")
    codes = {m.label: m.region.code for m in doc._.mentions if m.region}
    assert codes == {"嵩县": "410325", "伊川县": "410329"}


def test_people_are_found_next_to_their_posts(analyse):
    doc = analyse("焦作市委书记王小平、市长徐衣显直接指挥。（本报记者杨冬冬整理）", "焦作市")
    people = {m.label: m.extra["post"] for m in doc._.mentions if m.cls == "Person"}
    assert people == {"王小平": "市委书记", "徐衣显": "市长", "杨冬冬": "记者"}


@pytest.mark.parametrize(
    "text, expected",
    [
        ("驻马店：互联网助力健康扶贫\n本报记者冯金灿丁宏伟通讯员王丽文/图\n近日", {"冯金灿": "记者", "丁宏伟": "记者", "王丽": "通讯员"}),
        ("道疾病的困难群众开展上门诊疗服务。（孙琰）", {"孙琰": "署名"}),
        ("工作会议现场。\n本报记者李明阳摄", {"李明阳": "记者"}),
        ("向该科主任贺军、主治医生余志豪和高磊以及科室全体医务人员", {"贺军": "主任", "余志豪": "主治医生", "高磊": "主治医生"}),
        ("开封市中医院依托王琦、刘保延院士成立了研究院", {"王琦": "院士", "刘保延": "院士"}),
        ("接到电话的卫生院张铭医师立即赶去。认真贯彻习近平总书记的重要指示", {"张铭": "医师", "习近平": "总书记"}),
    ],
)
def test_people_in_bylines_credits_and_lists(analyse, text, expected):
    people = {m.label: m.extra["post"] for m in analyse(text)._.mentions if m.cls == "Person"}
    assert people == expected


def test_someone_of_a_body_who_speaks_right_after_it_is_a_person(analyse):
    doc = analyse("在培训上，南阳市疾病预防控制中心王林详细讲解了监测病种。", "南阳市")
    assert [e for e in ents(doc) if e[1] == "Person"] == [("王林", "Person")]


def test_a_list_of_bodies_keeps_its_place_to_the_end(analyse):
    doc = analyse("县卫生健康体育委员会、医疗保障局、民政局、财政局、扶贫办分工负责", "平舆县")
    assert [label for label, _ in ents(doc)] == ["平舆县卫生健康体育委员会", "平舆县医疗保障局", "平舆县民政局", "平舆县财政局", "平舆县扶贫开发办公室"]


@pytest.mark.parametrize(
    "text, expected",
    [
        ("并荣获2016年全省健康扶贫先进单位、2017年全省健康扶贫政策组织落实奖", ["全省健康扶贫先进单位", "全省健康扶贫政策组织落实奖"]),
        ("开封市人民医院成功创建全国综合医院中医药工作示范单位", ["全国综合医院中医药工作示范单位"]),
        ("被国家卫生健康委授予第一批全国“互联网+健康扶贫试点地区”", ["全国“互联网+健康扶贫试点地区”"]),
    ],
)
def test_awards_are_named_without_the_year_or_the_verb(analyse, text, expected):
    assert [label for label, cls in ents(analyse(text, "许昌市")) if cls == "Award"] == expected
