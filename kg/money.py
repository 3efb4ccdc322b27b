"""Amounts of money in yuan, parsed from how Chinese reports write them.

>>> [(a.text, a.yuan) for a in amounts("投资34.3亿元，投入3400余万元，注入资金1,500万元，补贴五百万元，2000元/月")]
[('34.3亿元', Decimal('3430000000')), ('3400余万元', Decimal('34000000')), ('1,500万元', Decimal('15000000')), ('五百万元', Decimal('5000000')), ('2000元', Decimal('2000'))]
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

_UNITS = {"": 1, "十": 10, "百": 100, "千": 1000, "万": 10_000, "十万": 100_000, "百万": 1_000_000, "千万": 10_000_000, "亿": 100_000_000, "万亿": 1_000_000_000_000}
_AMOUNT = re.compile(
    r"(?P<num>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?|[零〇一二两三四五六七八九十百千]+(?:点[零一二三四五六七八九]+)?)"
    r"(?P<approx>多|余)?(?P<unit>万亿|千万|百万|十万|亿|万|千|百)?(?P<approx2>多|余)?元"
)
_YEAR = re.compile(r"((?:19|20)\d{2})\s*年")
_DIGITS = dict(zip("零〇一二两三四五六七八九", (0, 0, 1, 2, 2, 3, 4, 5, 6, 7, 8, 9)))
_POWERS = {"十": 10, "百": 100, "千": 1000}


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
            value = Decimal(number.replace(",", "")) if number[0].isdigit() else chinese_number(number)
        except (ValueError, ArithmeticError):
            continue
        yuan = value * _UNITS[match.group("unit") or ""]
        if yuan <= 0:
            continue
        approximate = bool(match.group("approx") or match.group("approx2"))
        found.append(Amount(match.start(), match.end(), match.group(), yuan.normalize() if yuan != yuan.to_integral() else yuan.quantize(Decimal(1)), approximate))
    return found


def chinese_number(text: str) -> Decimal:
    """A number below ten thousand written in characters, as amounts are before 万 or 亿:
    with units (三千五百, 三千五 as said, 一百零五, 十二, 一百十), digit by digit (二〇二〇), and
    with 点 for decimals. ValueError for what is not a number (百, 十十, 两百零五十).

    >>> [str(chinese_number(t)) for t in ["五百", "三千五", "一百零五", "十二", "二〇二〇", "二十一点三"]]
    ['500', '3500', '105', '12', '2020', '21.3']
    """
    whole, _, fraction = text.partition("点")
    try:
        value = _whole_number(whole) if any(c in _POWERS for c in whole) else int(_spelt(whole))
        return Decimal(f"{value}.{_spelt(fraction)}") if fraction else Decimal(value)
    except KeyError as exc:
        raise ValueError(f"not a number: {text}") from exc


def _spelt(text: str) -> str:
    """Digits written one by one: 二〇二〇 → "2020"."""
    return "".join(str(_DIGITS[c]) for c in text)


def _whole_number(text: str) -> int:
    """三千五百 → 3500, with units from the largest down, each after its digit."""
    value, digit, unit, zero = 0, None, 10_000, False  # unit: the last one seen
    for c in text:
        if c in _POWERS:
            power = _POWERS[c]
            in_order = power < unit and not (zero and power > unit // 100)  # after 零 a place down: 一千零五十, not 两百零五十
            counted = digit is not None or c == "十"  # 十 may drop its 一: 十二, 一百十
            if not (in_order and counted):
                raise ValueError(f"not a number: {text}")
            value += (1 if digit is None else digit) * power
            digit, unit, zero = None, power, False
        elif _DIGITS[c] == 0:  # 一百零五: a place skipped, so the digit after it counts ones
            if zero or digit is not None or not 100 <= unit <= 1000:
                raise ValueError(f"not a number: {text}")
            zero = True
        elif digit is None:
            digit = _DIGITS[c]
        else:
            raise ValueError(f"not a number: {text}")
    if zero and digit is None:
        raise ValueError(f"not a number: {text}")
    return value + (digit or 0) * (1 if zero else unit // 10)  # 三千五: five hundred


def year_before(text: str, position: int) -> int | None:
    """The last year written before ``position`` (2017年 → 2017), if any.

    >>> year_before("2017年，许昌市投入3400余万元", 10)
    2017
    """
    years = [int(m.group(1)) for m in _YEAR.finditer(text[:position])]
    return years[-1] if years else None
