"""Amounts of money in yuan, parsed from how Chinese reports write them.

>>> [(a.text, a.yuan) for a in amounts("投资34.3亿元，投入3400余万元，注入资金1500万元，补贴五百万元，2000元/月")]
[('34.3亿元', Decimal('3430000000')), ('3400余万元', Decimal('34000000')), ('1500万元', Decimal('15000000')), ('五百万元', Decimal('5000000')), ('2000元', Decimal('2000'))]
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

import cn2an

_UNITS = {"": 1, "十": 10, "百": 100, "千": 1000, "万": 10_000, "十万": 100_000, "百万": 1_000_000, "千万": 10_000_000, "亿": 100_000_000, "万亿": 1_000_000_000_000}
_AMOUNT = re.compile(
    r"(?P<num>\d+(?:\.\d+)?|[零〇一二两三四五六七八九十百千]+(?:点[零一二三四五六七八九]+)?)"
    r"(?P<approx>多|余)?(?P<unit>万亿|千万|百万|十万|亿|万|千|百)?(?P<approx2>多|余)?元"
)
_YEAR = re.compile(r"((?:19|20)\d{2})\s*年")


@dataclass(frozen=True)
class Amount:
    start: int
    end: int
    text: str
    yuan: Decimal
    approximate: bool


def amounts(text: str) -> list[Amount]:
    """Every amount of money in ``text``, in yuan."""
    found = []
    for match in _AMOUNT.finditer(text):
        number = match.group("num")
        try:
            value = Decimal(number) if number[0].isdigit() else Decimal(str(cn2an.cn2an(number, "smart")))
        except (ValueError, ArithmeticError):
            continue
        yuan = value * _UNITS[match.group("unit") or ""]
        if yuan <= 0:
            continue
        approximate = bool(match.group("approx") or match.group("approx2"))
        found.append(Amount(match.start(), match.end(), match.group(), yuan.normalize() if yuan != yuan.to_integral() else yuan.quantize(Decimal(1)), approximate))
    return found


def year_before(text: str, position: int) -> int | None:
    """The last year written before ``position`` (2017年 → 2017), if any.

    >>> year_before("2017年，许昌市投入3400余万元", 10)
    2017
    """
    years = [int(m.group(1)) for m in _YEAR.finditer(text[:position])]
    return years[-1] if years else None
