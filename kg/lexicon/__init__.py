"""The project's word lists, loaded once: surnames, posts, countries, abbreviations, and
the domain terms (well-known national bodies, programs and policies).

>>> words().abbreviations["卫健委"]
'卫生健康委员会'
>>> words().positions["副院长"]
'deputy'
>>> words().terms["医改"]
('医药卫生体制改革', 'Policy')
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

FOLDER = Path(__file__).parent


def _lines(name: str) -> list[str]:
    text = (FOLDER / name).read_text(encoding="utf-8")
    return [line for line in text.splitlines() if line.strip() and not line.startswith("#")]


def _table(name: str) -> list[list[str]]:
    return [line.split("\t") for line in _lines(name)]


@dataclass(frozen=True)
class Words:
    surnames: frozenset[str]
    common_surnames: frozenset[str]  # the hundred most common
    positions: dict[str, str]  # post -> head | deputy | other
    countries: frozenset[str]
    abbreviations: dict[str, str]  # abbreviated ending -> official ending
    terms: dict[str, tuple[str, str]]  # surface form -> (canonical label, class)


@functools.lru_cache(maxsize=1)
def words() -> Words:
    terms: dict[str, tuple[str, str]] = {}
    for label, cls, aliases in _table("terms.tsv"):
        for alias in {label, *aliases.split("|")}:
            terms[alias] = (label, cls)
    return Words(
        surnames=frozenset(w for line in _lines("surnames.txt") for w in line.split()),
        common_surnames=frozenset(_lines("surnames.txt")[0].split()[:100]),
        positions={post: kind for post, kind in _table("positions.tsv")},
        countries=frozenset(w for line in _lines("countries.txt") for w in line.split()),
        abbreviations={short: full for short, full in _table("abbreviations.tsv")},
        terms=terms,
    )
