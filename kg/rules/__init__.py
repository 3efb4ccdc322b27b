"""Rule families that find entity mentions in cleaned article text.

Each family is a plain function ``find(text, context) -> list[Mention]``, registered
under a versioned name (``kg.rules.regions.v1``) so the pipeline config can list the
families it uses; :func:`families` returns them in the order they must run (regions
first: the other families use them as anchors).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

from kg.gazetteer import Region


@dataclass
class Mention:
    """An entity mention: a span of the text, its SPEC class, and what the rule knows.

    ``anchor`` is the place the name starts with (a :class:`Region`, a relative
    prefix such as ``"市"``, or ``None``); ``label`` is the canonical name when the
    rule knows it (a gazetteer name, a lexicon term), otherwise filled in by the
    resolver.
    """

    start: int
    end: int
    cls: str
    family: str
    label: str = ""
    anchor: Region | str | None = None
    anchor_end: int = 0
    region: Region | None = None  # for Region mentions
    relative: str = ""  # the level a relative name (该县, 全市, 市卫生健康委) refers to
    score: float = 0.8
    extra: dict = field(default_factory=dict)

    @property
    def length(self) -> int:
        return self.end - self.start


@dataclass
class Context:
    """What a rule may know about the article besides its text."""

    region: Region | None = None  # the region the article is about
    regions: list[Mention] = field(default_factory=list)  # filled by the regions family


Family = Callable[[str, Context], list[Mention]]
_REGISTRY: dict[str, Family] = {}


def register(name: str) -> Callable[[Family], Family]:
    """Register a rule family under a versioned name."""

    def wrap(func: Family) -> Family:
        _REGISTRY[name] = func
        return func

    return wrap


def family(name: str) -> Family:
    """The rule family registered under ``name``; an actionable error when unknown."""
    _load_all()
    if name not in _REGISTRY:
        raise KeyError(f"unknown rule family {name!r}; known: {', '.join(sorted(_REGISTRY))}")
    return _REGISTRY[name]


def _load_all() -> None:
    from kg.rules import honours, organizations, people, programs, regions  # noqa: F401
