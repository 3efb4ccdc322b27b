"""Relations and fundings on real seed sentences."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="module")
def analyse(rules_analyse):
    """The trigger rules run alone here; the relation model's behaviour is tested in
    test_learned.py."""
    return rules_analyse


def rels(doc):
    return {(r.head.label, r.prop, r.tail.label if r.tail else r.literal) for r in doc._.relations if r.trigger != "name"}


@pytest.mark.parametrize(
    "text, region, expected",
    [
        ("2019年9月、10月，濮阳市第三人民医院成功创建二级甲等医院，市中医医院顺利通过三级甲等医院复审。", "濮阳市",
         {("濮阳市第三人民医院", "passed", "二级甲等医院评审"), ("濮阳市中医医院", "passed", "三级甲等医院复审")}),
        ("开封市中医院成为全市卫生健康系统首家“市长质量奖”获得者。", "开封市", {("开封市中医院", "received", "市长质量奖")}),
        ("2019年，驻马店市荣获全国脱贫攻坚奖。", "驻马店市", {("驻马店市", "received", "全国脱贫攻坚奖")}),
        ("焦作出台了《医养中心发展规划》《全面推进建档立卡贫困残疾人医养工作》等文件。", "焦作市",
         {("焦作市", "issues", "《医养中心发展规划》"), ("焦作市", "issues", "《全面推进建档立卡贫困残疾人医养工作》")}),
        ("自2018年起，许昌市在全省率先实施计划生育家庭住院护理扶助制度。", "许昌市", {("许昌市", "implements", "计划生育家庭住院护理扶助制度")}),
        ("焦作市全面聚焦脱贫攻坚，以医养中心建设为突破口，构建多元化医养服务体系。", "焦作市", {("焦作市", "runs", "医养中心建设")}),
        ("濮阳市委、市政府高度重视，成立濮阳市医院提质升级工作领导小组。", "濮阳市",
         {("中共濮阳市委员会", "establishes", "濮阳市医院提质升级工作领导小组"), ("濮阳市人民政府", "establishes", "濮阳市医院提质升级工作领导小组")}),
        ("5月8、9日，泉州市妇幼保健院院长林志远、副院长郑雅琴、保健部主任何秀兰一行走访了卫生院。", "泉州市",
         {("林志远", "leads", "泉州市妇幼保健院"), ("郑雅琴", "leads", "泉州市妇幼保健院")}),
        ("焦作市委书记王小平、市长徐衣显直接指挥。", "焦作市", {("王小平", "leads", "焦作市"), ("徐衣显", "leads", "焦作市")}),
        # A body named after a preposition, even second in a list, is not the agent.
        ("信阳市卫生健康委科学研判疫情形势，适时向市委、市政府提出“关、卡、停、查”等防控措施。", "信阳市",
         {("信阳市卫生健康委员会", "issues", "关、卡、停、查")}),
        # 贯彻 and 通过…的方式 carry out a policy; 抓 runs a program.
        ("为严防疫情反弹，市卫健委坚决贯彻“外防输入、内防反弹”总体策略。", "漯河市", {("漯河市卫生健康委员会", "implements", "外防输入、内防反弹")}),
        ("许昌市政府通过“统一招标、集中采购”的方式购买商业保险。", "许昌市", {("许昌市人民政府", "implements", "统一招标、集中采购")}),
        ("市卫健委立足全市实际，一手抓疫情防控，一手抓脱贫攻坚。", "漯河市", {("漯河市卫生健康委员会", "runs", "脱贫攻坚")}),
        # The treasury (市财政) spends for its city; 进行 a program runs it.
        ("市财政投入2660万元，利用3年时间分批进行了标准化村卫生室建设。", "驻马店市",
         {("驻马店市", "funds", "标准化村卫生室建设"), ("驻马店市", "runs", "标准化村卫生室建设")}),
        # A place listed in what a sentence builds does not pay for it: the agent does.
        ("洛阳市积极推进嵩县、伊川县4个县域医疗中心建设先行先试，累计投资1.5亿元。", "洛阳市",
         {("洛阳市", "runs", "县域医疗中心建设"), ("洛阳市", "funds", "县域医疗中心建设")}),
        # A body after who leads or makes it up is what was founded; a party secretary acts for the city.
        ("郑州市委、市政府成立了由副市长孙晓红任组长，卫生健康、发改、民政等部门组成的健康扶贫行动指挥部。", "郑州市",
         {("中共郑州市委员会", "establishes", "郑州市健康扶贫行动指挥部"), ("郑州市人民政府", "establishes", "郑州市健康扶贫行动指挥部"),
          ("孙晓红", "leads", "郑州市健康扶贫行动指挥部")}
         | {(d, "memberOf", "郑州市健康扶贫行动指挥部") for d in ("郑州市卫生健康委员会", "郑州市发展和改革委员会", "郑州市民政局")}),
        ("焦作市委书记王小平直接指挥，成立市委副书记任组长的医养中心建设领导小组。", "焦作市",
         {("焦作市", "establishes", "焦作市医养中心建设领导小组"), ("王小平", "leads", "焦作市")}),
        # The grantor after 被 is not the one honoured; the body before 举办的 runs what it holds.
        ("驻马店市被工信部、国家卫生健康委授予第一批全国“互联网+健康扶贫试点地区”。", "驻马店市",
         {("驻马店市", "received", "全国“互联网+健康扶贫试点地区”")}),
        ("在南阳市卫生健康委员会开展的“369”人才工程中，新野县人民医院表现突出。", "南阳市", {("南阳市卫生健康委员会", "runs", "“369”人才工程")}),
        ("许昌市健康扶贫工作多次受到省、市通报表彰。", "许昌市", {("许昌市", "runs", "健康扶贫")}),
        # A document named without book-title marks, issued by the bodies listed before it.
        ("开封市将全力贯彻中共中央、国务院和省委、省政府关于促进中医药传承创新发展的意见。", "开封市",
         {("开封市", "implements", "关于促进中医药传承创新发展的意见"), ("中共中央", "issues", "关于促进中医药传承创新发展的意见"),
          ("国务院", "issues", "关于促进中医药传承创新发展的意见"), ("中共河南省委员会", "issues", "关于促进中医药传承创新发展的意见"),
          ("河南省人民政府", "issues", "关于促进中医药传承创新发展的意见")}),
        # Places listed before a count say where; the program after them is the object.
        ("洛阳市积极推进嵩县、伊川县4个县域医疗中心建设先行先试。", "洛阳市", {("洛阳市", "runs", "县域医疗中心建设")}),
        # Members of a task force, partners with 会同, help with 对…的帮扶, guidance with 在…指导下.
        ("该县成立县健康扶贫工作领导小组，由常务副县长任组长，县民政局、财政局、扶贫办等为成员单位。", "平舆县",
         {("平舆县", "establishes", "平舆县健康扶贫工作领导小组"), ("平舆县民政局", "memberOf", "平舆县健康扶贫工作领导小组"),
          ("平舆县财政局", "memberOf", "平舆县健康扶贫工作领导小组"), ("平舆县扶贫开发办公室", "memberOf", "平舆县健康扶贫工作领导小组")}),
        ("市卫生健康委会同市残联、扶贫办分别制定政策。", "郑州市",
         {("郑州市卫生健康委员会", "partnersWith", "郑州市残疾人联合会"), ("郑州市卫生健康委员会", "partnersWith", "郑州市扶贫开发办公室")}),
        ("加强信阳市中心医院对固始县人民医院的对口帮扶力度。", "信阳市", {("信阳市中心医院", "supports", "固始县人民医院")}),
        ("濮阳市卫生健康委在河南省卫生健康委精心指导下，强基层、打基础。", "濮阳市", {("河南省卫生健康委员会", "supports", "濮阳市卫生健康委员会")}),
        # Every quoted name of a list is an object; a quoted name may follow what describes it.
        ("郑州市卫生健康委实施“先诊疗后付费”“七免一减两帮扶”“一站式即时结算”等健康扶贫措施。", "郑州市",
         {("郑州市卫生健康委员会", "implements", "先诊疗后付费"), ("郑州市卫生健康委员会", "implements", "七免一减两帮扶"),
          ("郑州市卫生健康委员会", "implements", "一站式即时结算")}),
        ("市卫健委深入落实新时代漯河经济社会发展“四三二一”工作布局，大力实施名医领名科“三名联动”战略。", "漯河市",
         {("漯河市卫生健康委员会", "implements", "“四三二一”工作布局"), ("漯河市卫生健康委员会", "runs", "“三名联动”战略")}),
        ("焦作市卫生健康部门牵头出台医养中心建设规划并组织实施。", "焦作市",
         {("焦作市卫生健康委员会", "issues", "医养中心建设规划"), ("焦作市卫生健康委员会", "implements", "医养中心建设规划")}),
        # What is completed (建成投用, 已建成使用) was founded by who built it, over an item that is no entity.
        ("绵阳市投入2亿元建设妇幼保健机构，绵阳市妇幼保健院、绵阳市儿童医院建成投用。", "绵阳市",
         {("绵阳市", "establishes", "绵阳市妇幼保健院"), ("绵阳市", "establishes", "绵阳市儿童医院")}),
        ("全市打造的医疗中心中，生殖遗传中心、儿童医疗中心、骨科创伤救治中心三个中心已建成使用。", "漯河市",
         {("漯河市", "establishes", "生殖遗传中心"), ("漯河市", "establishes", "骨科创伤救治中心")}),
        # Sentences from other provinces, in the layouts of their news.
        ("根据福建省政府《关于推进社区康复服务发展的实施意见》，社区康复服务年均增长10%以上。", "泉州市",
         {("福建省人民政府", "issues", "《关于推进社区康复服务发展的实施意见》")}),
        ("国家卫生计生委队伍建设和人才培训中心主任周立群说，对口支援项目计划要开展两年。", None,
         {("周立群", "leads", "国家卫生和计划生育委员会队伍建设和人才培训中心")}),
        ("云南省卫生计生委科教处李卫东处长说。", None, {("李卫东", "leads", "云南省卫生和计划生育委员会科技教育处")}),
        ("泉州市妇幼保健院牵手福建禾暖健康管理服务公司，开业运营“禾暖月子中心”。", "泉州市",
         {("泉州市妇幼保健院", "partnersWith", "福建禾暖健康管理服务公司"), ("泉州市妇幼保健院", "runs", "禾暖月子中心")}),
        # the bodies before 关于 run the campaign
        ("比赛是根据市委、市政府关于“健康细胞提升年”活动要求举办的。", "宁德市",
         {("中共宁德市委员会", "runs", "健康细胞提升年"), ("宁德市人民政府", "runs", "健康细胞提升年")}),
        ("宁德市加强村卫生室标准化建设。", "宁德市", {("宁德市", "runs", "村卫生室标准化建设")}),
        # 市委书记 in a city's article leads the city; who chairs a body leads it
        ("市委书记张文深视察卫生健康工作。", "南阳市", {("张文深", "leads", "南阳市")}),
        ("南阳市成立了由副市长王智慧任组长，卫生健康、财政等部门组成的医共体建设领导小组。", "南阳市",
         {("南阳市", "establishes", "南阳市医共体建设领导小组"), ("王智慧", "leads", "南阳市医共体建设领导小组")}
         | {(d, "memberOf", "南阳市医共体建设领导小组") for d in ("南阳市卫生健康委员会", "南阳市财政局")}),
        ("开封市民政局利用农村低保、特困人员救助供养等保障性政策给予支持。", "开封市",
         {("开封市民政局", "implements", "农村最低生活保障"), ("开封市民政局", "implements", "特困人员救助供养")}),
        # what a name sums up may stand between the verb and the name
        ("开封市研究制定“人员、设备、流程”等“三统一”标准。", "开封市", {("开封市", "issues", "“三统一”标准")}),
        # a program a sentence opens with (作为…项目，) is run by the body it goes on about;
        # the regions chosen as those to help are supported
        ("作为对口支援项目，广西壮族自治区卫生健康委今年选择百色、河池为帮扶对象。", "广西壮族自治区",
         {("广西壮族自治区卫生健康委员会", "runs", "对口支援项目"), ("广西壮族自治区卫生健康委员会", "supports", "百色市"),
          ("广西壮族自治区卫生健康委员会", "supports", "河池市")}),
        # 人大 is the standing committee of the people's congress of its place
        ("县人大副主任王强出席。", "固始县", {("王强", "leads", "固始县人民代表大会常务委员会")}),
        # who brings a program to a whole group runs it (and a village is not named 实现农村)
        ("商丘市实现农村贫困人口家庭医生签约服务全覆盖。", "商丘市",
         {("商丘市", "runs", "家庭医生签约服务"), ("家庭医生签约服务", "targets", "农村贫困人口")}),
        ("该县实行“乡聘村用”的人才管理模式。", "固始县", {("固始县", "implements", "乡聘村用")}),
        # every item of a list a kind of program sums up is run
        ("周口市卫生健康委落实孕前优生健康检查、农村妇女增补叶酸等妇幼健康项目。", "周口市",
         {("周口市卫生健康委员会", "runs", p) for p in ("孕前优生健康检查", "农村妇女增补叶酸", "妇幼健康项目")}),
        # the fields listed before 等部门组成的 are the place's departments, members of what they make up
        ("南阳市成立了由卫生健康、发改、财政等部门组成的医共体建设指挥部。", "南阳市",
         {("南阳市", "establishes", "南阳市医共体建设指挥部")}
         | {(d, "memberOf", "南阳市医共体建设指挥部") for d in ("南阳市卫生健康委员会", "南阳市发展和改革委员会", "南阳市财政局")}),
        # a plan named by its year needs no book-title marks
        ("南阳市卫生健康委制定了2021年度南阳市医疗救治工作方案。", "南阳市",
         {("南阳市卫生健康委员会", "issues", "2021年度南阳市医疗救治工作方案")}),
        # the whole place before a name says where; the name is the object
        ("固始县疾病预防控制中心举办了全县传染病报告、慢病随访技术培训班。", "固始县",
         {("固始县疾病预防控制中心", "runs", "传染病报告、慢病随访技术培训班")}),
        # a second list of completed bodies in the sentence has the same founder
        ("宁德市打造区域医疗中心建设，创伤救治中心、胸痛治疗中心、眼科医疗中心三个中心已建成使用，口腔治疗中心、心理健康服务中心、康复医学中心也将于明年挂牌。", "宁德市",
         {("宁德市", "runs", "区域医疗中心建设")} | {("宁德市", "establishes", c) for c in ("创伤救治中心", "胸痛治疗中心", "眼科医疗中心", "口腔治疗中心", "心理健康服务中心", "康复医学中心")}),
    ],
)
def test_relations_stated_in_a_sentence_are_found(analyse, text, region, expected):
    assert rels(analyse(text, region)) == expected


@pytest.mark.parametrize(
    "text, region, expected",
    [
        ("焦作市拿出500万元，采取以奖代补的方式对工作突出的县、市进行奖励。", "焦作市", ("以奖代补", "工作突出的县、市")),
        ("郑州市建立困难群众大病补充医疗保险制度，将贫困人口全部纳入医疗救助范围。", "郑州市", ("医疗救助", "贫困人口")),
        ("许昌市还实现贫困人口县域内住院“先诊疗后付费”全覆盖。", "许昌市", ("先诊疗后付费", "贫困人口")),
        ("“两癌”筛查实现了城镇低保人群和农村贫困人口全覆盖。", "郑州市", ("“两癌”筛查", "城镇低保人群和农村贫困人口")),
        # the group said before a program's name is who it serves, not part of the name
        ("南阳市实现农村贫困人口家庭医生签约服务全覆盖。", "南阳市", ("家庭医生签约服务", "农村贫困人口")),
        # ...but a project's own name keeps it, and says whom it serves
        ("该县实施困难群众慢性病免费干预项目。", "南阳市", ("困难群众慢性病免费干预项目", "困难群众")),
        ("通过“互联网+医疗”平台，面向乡村医疗机构开展远程培训。", "开封市", ("“互联网+医疗”平台", "乡村医疗机构")),
        ("开封市开展“1+1”签约服务，以老年人群为重点。", "开封市", ("“1+1”签约服务", "老年人群")),
    ],
)
def test_the_group_a_program_is_for_is_a_targets_literal(analyse, text, region, expected):
    found = {(r.head.label, r.literal) for r in analyse(text, region)._.relations if r.prop == "targets"}
    assert expected in found


def test_a_named_body_after_dui_is_not_a_target(analyse):
    doc = analyse("许昌市实施“百医包百村”行动计划，组织114个医疗单位对偃师市游庄村进行帮扶。", "许昌市")
    assert not [r for r in doc._.relations if r.prop == "targets"]


def test_a_sentence_without_a_subject_gives_no_relation(analyse):
    assert rels(analyse("大力实施“369”人才工程，充实基层医疗卫生人才队伍。", "驻马店市")) == set()


def test_money_becomes_a_funding_with_funder_amount_and_purpose(analyse):
    doc = analyse("2017年，许昌市以急性心肌梗死为切入点，投入3400余万元建设急危重症三级救治网。", "许昌市")
    [funding] = doc._.fundings
    assert (funding.funder.label, funding.amount.yuan, funding.amount.text, funding.recipient.label, funding.year) == (
        "许昌市", 34_000_000, "3400余万元", "急危重症三级救治网", 2017,
    )
    assert ("许昌市", "funds", "急危重症三级救治网") in rels(doc)


def test_money_without_a_funding_verb_has_no_funder(analyse):
    doc = analyse("一年来，累计为基层患者减少患者费用8900余万元。", "洛阳市")
    assert [(f.funder, f.amount.yuan) for f in doc._.fundings] == [(None, 89_000_000)]


def test_amounts_written_in_characters_are_read_as_said():
    from kg.money import amounts

    found = {a.text: a.yuan for a in amounts("补贴三千五百万元，奖励十二万元，投入一百零五万元，拨付三千五万元，另有百万元")}
    assert found == {"三千五百万元": 35_000_000, "十二万元": 120_000, "一百零五万元": 1_050_000, "三千五万元": 35_000_000}


def test_bodies_named_after_a_place_are_located_there(analyse):
    doc = analyse("嵩县人民医院开展远程会诊。", "洛阳市")
    assert {(r.head.label, r.tail.label) for r in doc._.relations if r.prop == "locatedIn"} == {("嵩县人民医院", "嵩县")}
