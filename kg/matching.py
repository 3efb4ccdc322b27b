"""Fast dictionary matching: every occurrence of many keywords at once, longest first.

>>> m = KeywordMatcher({"洛阳": "洛阳市", "洛阳市": "洛阳市", "嵩县": "嵩县"})
>>> [(s, e, v) for s, e, v in m.find("洛阳市嵩县人民医院")]
[(0, 3, '洛阳市'), (3, 5, '嵩县')]
"""

from __future__ import annotations

from typing import Generic, Iterator, Mapping, TypeVar

import ahocorasick

V = TypeVar("V")


class KeywordMatcher(Generic[V]):
    """An Aho-Corasick automaton over ``keywords`` (surface form -> value)."""

    def __init__(self, keywords: Mapping[str, V]):
        self._automaton = ahocorasick.Automaton()
        for key, value in keywords.items():
            if key:
                self._automaton.add_word(key, (len(key), value))
        self._empty = len(self._automaton) == 0
        if not self._empty:
            self._automaton.make_automaton()

    def find_all(self, text: str) -> Iterator[tuple[int, int, V]]:
        """Every occurrence, overlapping ones included, as ``(start, end, value)``."""
        if self._empty:
            return
        for end_index, (length, value) in self._automaton.iter(text):
            yield end_index + 1 - length, end_index + 1, value

    def find(self, text: str) -> list[tuple[int, int, V]]:
        """Non-overlapping occurrences, preferring the longest, then the leftmost."""
        hits = sorted(self.find_all(text), key=lambda h: (-(h[1] - h[0]), h[0]))
        taken = bytearray(len(text))
        chosen = []
        for start, end, value in hits:
            if not any(taken[start:end]):
                taken[start:end] = b"\x01" * (end - start)
                chosen.append((start, end, value))
        return sorted(chosen, key=lambda h: h[0])
