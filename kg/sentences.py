"""Sentence boundaries in cleaned article text: after 。！？ (with any closing quotes)
and at line ends. Evidence sentences and relation extraction use these spans; like
the calibration gold, a quotation ending in ！or 。 is a sentence of its own.

>>> [text[s:e] for text in ["开封市中医院获奖。“很高兴！”他说。\\n下一段"] for s, e in sentence_spans(text)]
['开封市中医院获奖。', '“很高兴！”', '他说。', '下一段']
"""

from __future__ import annotations

import re

_BOUNDARY = re.compile(r"[。！？!?]+[”’」』）)]*|\n")


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """``(start, end)`` of each non-empty sentence, surrounding whitespace excluded."""
    spans = []
    start = 0
    for match in _BOUNDARY.finditer(text):
        end = match.end() if match.group() != "\n" else match.start()
        _append(text, start, end, spans)
        start = match.end()
    _append(text, start, len(text), spans)
    return spans


def _append(text: str, start: int, end: int, spans: list[tuple[int, int]]) -> None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if end > start:
        spans.append((start, end))
