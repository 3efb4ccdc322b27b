"""Character classes and boundary tests shared by the rule families.

>>> left_boundary("与迪安诊断技术集团", 1)
True
>>> left_boundary("开展市校合作", 2)
True
>>> left_boundary("洛阳市", 2)
False
"""

from __future__ import annotations

import re

HAN = "\u4e00-\u9fff"
# Punctuation and spacing that always end a name.
PUNCT = set("，。、；：？！,.;:?!（）()《》“”‘’\"'【】[]…—-\n\t 　·/")
# Single characters that end a name on their left: prepositions, particles, measure words.
STOP_CHARS = set("的在与及对由向到从将把被给了是于或并让使按据至比即也都还该各其每这那此就已又再均仍亦且而要可很更最应需等以")
# Two-character verbs and adverbs that end a name on their left ("成立河南大学中医药研究院").
STOP_WORDS = frozenset(
    """成立 组建 建设 建成 新建 设立 引进 通过 依托 借助 聘请 联合 委托 加强 支援 帮扶 走访 对接 打造
    设置 举办 开展 组织 召开 参加 牵头 推动 推进 实施 指导 授予 确定 获得 荣获 评为 选派 派驻 邀请
    协调 覆盖 接入 纳入 加入 入驻 前往 赶到 来到 走进 深入 驰援 援助 投资 投入 购买 配备 争取 利用
    整合 申报 落户 签署 签订 合作 共建 牵手 挂牌 成为 作为 包括 涵盖 以及 其中 此外 同时 目前 近年
    近日 日前 今年 去年 明年 当天 全面 积极 大力 不断 持续 进一步 认真 努力 率先 首次 先后 分别 共同
    创建 启动 开通 提升 完善 健全 落实 执行 出台 制定 印发 发布 起草 推行 运营 主办 承办 协办 带领
    要求 强调 表示 介绍 指出 认为 希望 提出 提供 给予 拨付 筹措 安排 部署 选择 遴选 升级 改造 扩建
    改建 搬迁 开设 开办 创办 兴建 筹建 筹办 承建 负责 成功 顺利 已经 正在 将会 能够 可以
    以来 期间 之后 之前 以后 以前 截至 随着 根据 按照 围绕 针对 面向 结合 对于 关于 为了 通知 调研 视察 考察
    检查 督导 慰问 看望 参观 响应 效仿 督促 深化 强化 规范 接收 提高 经过 考虑 入住 咬定 领导 联系
    建立 做实 购置 助推 实现 梳理 补齐 解决 完成 定期 贯穿 保障 列入 构建 开始 组成 形成 探索 坚持
    采取 采用 创新 启用 投用 运行 优化 扩大 加快 抓好 做好 抓实 深入推进 大力 着力 全力 统筹 依据 会同 明确 主持 贯彻""".split()
)
# A beneficiary group at the start of a name (贫困人口家庭医生签约服务), for ``.match``:
# who the program serves, said before it; kept in the name only when the name is a
# project's own (贫困人口妇幼健康免费干预项目).
BENEFICIARIES = re.compile(r"(?:建档立卡|农村|城乡)?(?:贫困|困难|低保|特困)(?:人口|群众|户|家庭|患者|人员)")
OWN_NAME_ENDS = ("项目", "工程")  # the endings of a project's own name, which keeps the group
# Measure words: after a number they make what follows a category ("9家县人民医院").
MEASURE = set("家个所座名位项批支条套台辆张间处只")


def is_han(ch: str) -> bool:
    return "\u4e00" <= ch <= "\u9fff"


def left_boundary(text: str, i: int) -> bool:
    """True when a name may start at ``text[i]``: the text before ends a word.

    That is the start of the text, punctuation, a stop character or 和, a
    two-character stop word, or a digit.
    """
    if i <= 0:
        return True
    before = text[i - 1]
    if before in PUNCT or before in STOP_CHARS or before in "和" or before.isdigit() or not is_han(before) and not before.isalpha():
        return True
    return text[max(0, i - 2) : i] in STOP_WORDS or text[max(0, i - 3) : i] in STOP_WORDS


def after_count(text: str, i: int) -> bool:
    """True when ``text[i]`` follows a number and a measure word ("3家", "两个")."""
    return i >= 2 and text[i - 1] in MEASURE and (text[i - 2].isdigit() or text[i - 2] in "一二两三四五六七八九十百千万几多余")


def clean_core(core: str) -> bool:
    """A name's middle part must be Chinese characters, digits or letters, with no stop
    characters and no stop words."""
    if not core:
        return True
    if any(ch in PUNCT or ch in STOP_CHARS for ch in core):
        return False
    return not any(core[i : i + 2] in STOP_WORDS for i in range(len(core) - 1))


_QUOTED = re.compile(r"“([^“”\n]{1,30})”")


def quoted(text: str) -> list[tuple[int, int, str]]:
    """``(start, end, inner)`` for every “…” quotation (start/end include the quotes)."""
    return [(m.start(), m.end(), m.group(1)) for m in _QUOTED.finditer(text)]


def listed(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """``(start, end)`` of each item of the list ``text[start:end]``, items split at 、.

    >>> listed("由卫生健康、财政等部门", 1, 8)
    [(1, 5), (6, 8)]
    """
    spans, at = [], start
    for item in text[start:end].split("、"):
        spans.append((at, at + len(item)))
        at += len(item) + 1
    return spans
