"""The trained recogniser: a linear-chain CRF over characters that decides every entity
class, reading what the analyser, the rules and the word lists say about each character.

Each character is described by sparse string features:

- the character and its neighbours (two each side, with bigrams and a trigram);
- the pretrained analyser's reading (:mod:`kg.analyser`): the tag of the word the
  character is in (``ORG``, ``PER``, ``LOC``, ``n``, ``v``…), its place in that word, the
  word itself when short, and the tags of the characters around;
- what the rule families found (``B-Hospital``, ``I-Program``…), so the rules are one
  voice among others rather than the gate;
- the word lists: a name-ending word (医院, 委员会, 工程, 制度, 评审, 奖…) ahead of the
  character in its clause and how far, one the character is inside, a post (院长, 主任)
  after the word, a family name;
- layout: inside 《》 or “”, at the start of a line.

The CRF is trained by ``kg train`` on the seed gold and the written corpus
(``python-crfsuite``, L-BFGS with fixed settings, so runs repeat) and tags each sentence
with BIO labels over the SPEC's classes, plus ``Target``: the group or condition a
program is for, the literal tail of ``targets``.

>>> text = "岳池县人民医院院长周文斌介绍"
>>> feats = features(text, [True, False, False, False, False, False, False, True, False, True, False, False, True, False], ["ORG"] * 7 + ["n", "n", "PER", "PER", "PER", "v", "v"], ["O"] * 14)
>>> [f for f in feats[0] if f.startswith(("c=", "lt=", "ta="))]
['c=岳', 'lt=ORG', 'ta=hospital']
>>> bio_spans(["B-Hospital", "I-Hospital", "O", "B-Person", "I-Person"])
[(0, 2, 'Hospital'), (3, 5, 'Person')]
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Iterable

from kg.lexicon import FOLDER as LEXICON, words
from kg.matching import KeywordMatcher

#: What the recogniser tags besides the SPEC's entity classes.
TARGET = "Target"
_PUNCT = frozenset("，。、；：！？,.;:!?（）()“”\"《》【】[]—…\n ")


@functools.lru_cache(maxsize=1)
def _type_words() -> KeywordMatcher:
    rows = [line.split("\t") for line in (LEXICON / "type_words.tsv").read_text(encoding="utf-8").splitlines() if line and not line.startswith("#")]
    return KeywordMatcher({word: kind for word, kind in rows})


@functools.lru_cache(maxsize=1)
def _posts() -> KeywordMatcher:
    return KeywordMatcher({post: post for post in words().positions})


def features(text: str, starts: list[bool], tags: list[str], rule_tags: list[str]) -> list[list[str]]:
    """The features of every character of ``text``: ``starts`` and ``tags`` are the
    analyser's word starts and word tags per character, ``rule_tags`` the rules' BIO tags.
    Built column by column (each a list comprehension), which is several times faster
    than character by character."""
    n = len(text)
    pad = "^^" + text.replace("\n", "¶") + "$$"
    c = pad[2 : n + 2]
    cols: list[list[str]] = [
        ["c=" + ch for ch in c],
        ["c-1=" + ch for ch in pad[1 : n + 1]],
        ["c-2=" + ch for ch in pad[0:n]],
        ["c+1=" + ch for ch in pad[3 : n + 3]],
        ["c+2=" + ch for ch in pad[4 : n + 4]],
        ["b-=" + a + b for a, b in zip(pad[1 : n + 1], c)],
        ["b+=" + a + b for a, b in zip(c, pad[3 : n + 3])],
        ["t=" + a + b + d for a, b, d in zip(pad[1 : n + 1], c, pad[3 : n + 3])],
        ["k=" + _kind(ch) for ch in c],
        ["r=" + t for t in rule_tags],
    ]
    # The analyser: word tag, place in the word, the word when short, neighbours' tags.
    ends = [starts[i + 1] if i + 1 < n else True for i in range(n)]
    place = ["S" if s and e else "B" if s else "E" if e else "M" for s, e in zip(starts, ends)]
    word_of = _words(text, starts)
    padded_tags = ["^", *tags, "$"]
    cols += [
        ["lt=" + t for t in tags],
        ["lp=" + p + t for p, t in zip(place, tags)],
        ["lw=" + w for w in word_of],
        ["lt-1=" + t for t in padded_tags[0:n]],
        ["lt+1=" + t for t in padded_tags[2 : n + 2]],
    ]
    cols += _lexicon_columns(text, starts, word_of)
    return [list(row) for row in zip(*cols)]


def _kind(ch: str) -> str:
    if "\u4e00" <= ch <= "\u9fff":
        return "h"
    if ch.isdigit():
        return "d"
    if ch.isascii() and ch.isalpha():
        return "a"
    return "p" if ch in _PUNCT else "o"


def _words(text: str, starts: list[bool]) -> list[str]:
    """For each character, the analyser's word it is in ('' when longer than 6)."""
    out = [""] * len(text)
    i = 0
    n = len(text)
    while i < n:
        j = i + 1
        while j < n and not starts[j]:
            j += 1
        word = text[i:j] if j - i <= 6 else ""
        for k in range(i, j):
            out[k] = word
        i = j
    return out


def _lexicon_columns(text: str, starts: list[bool], word_of: list[str]) -> list[list[str]]:
    """Name-ending words ahead and around, posts after the word, family names, brackets."""
    n = len(text)
    ahead = ["ta=none"] * n
    ahead_far = ["tad=none"] * n
    inside = ["ti=none"] * n
    hits = sorted(_type_words().find_all(text), key=lambda h: (h[0], -(h[1] - h[0])))
    by_start: dict[int, tuple[int, str]] = {}
    for s, e, kind in hits:
        by_start.setdefault(s, (e, kind))
        for k in range(s, e):
            inside[k] = f"ti={kind}|{'B' if k == s else 'E' if k == e - 1 else 'I'}"
    nearest: tuple[int, str] | None = None
    furthest = ["tf=none"] * n
    last = "none"
    for i in range(n - 1, -1, -1):
        if text[i] in _PUNCT:
            nearest, last = None, "none"
        if i in by_start:
            nearest = (i, by_start[i][1])
            last = last if last != "none" else by_start[i][1]
        furthest[i] = "tf=" + last
        if nearest is not None and nearest[0] - i <= 24:
            ahead[i] = "ta=" + nearest[1]
            distance = nearest[0] - i
            ahead_far[i] = f"tad={nearest[1]}|{0 if distance == 0 else 1 if distance < 3 else 2 if distance < 7 else 3}"
    post_start = {s for s, _, _ in _posts().find_all(text)}
    post_end = {e for _, e, _ in _posts().find_all(text)}
    word_end = [0] * n
    word_start = [0] * n
    i = 0
    while i < n:
        j = i + 1
        while j < n and not starts[j]:
            j += 1
        for k in range(i, j):
            word_start[k], word_end[k] = i, j
        i = j
    surnames = words().surnames
    book = quote = False
    layout = []
    for i, ch in enumerate(text):
        if ch == "《":
            book = True
        elif ch == "》":
            book = False
        if ch == "“":
            quote = True
        elif ch == "”":
            quote = False
        layout.append("in=" + ("b" if book else "") + ("q" if quote else "") + ("L" if i == 0 or text[i - 1] == "\n" else ""))
    return [
        ahead,
        ahead_far,
        furthest,
        inside,
        ["pa=" + str(word_end[i] in post_start) for i in range(n)],
        ["pb=" + str(word_start[i] in post_end) for i in range(n)],
        ["sn=" + str(text[i] in surnames or text[i : i + 2] in surnames) for i in range(n)],
        layout,
    ]


def bio_tags(length: int, spans: Iterable[tuple[int, int, str]]) -> list[str]:
    """BIO labels of ``length`` characters with ``spans`` ``(start, end, class)``."""
    tags = ["O"] * length
    for start, end, cls in spans:
        if 0 <= start < end <= length and all(t == "O" for t in tags[start:end]):
            tags[start] = "B-" + cls
            for k in range(start + 1, end):
                tags[k] = "I-" + cls
    return tags


def bio_spans(tags: list[str]) -> list[tuple[int, int, str]]:
    """``(start, end, class)`` of the entities in BIO labels (a stray I- opens one)."""
    out: list[tuple[int, int, str]] = []
    start, cls = -1, ""
    for i, tag in enumerate([*tags, "O"]):
        if start >= 0 and (tag == "O" or tag.startswith("B-") or tag[2:] != cls):
            out.append((start, i, cls))
            start = -1
        if tag != "O" and start < 0:
            start, cls = i, tag[2:]
    return out


class Recogniser:
    """A trained CRF and the tagging of sentences with it."""

    def __init__(self, path: Path | str):
        import pycrfsuite

        self.path = Path(path)
        self.tagger = pycrfsuite.Tagger()
        self.tagger.open(str(self.path))

    def tag(self, xseq: list[list[str]]) -> list[str]:
        return self.tagger.tag(xseq) if xseq else []


def train(sequences: Iterable[tuple[list[list[str]], list[str]]], path: Path | str, iterations: int = 100, c1: float = 0.05, c2: float = 0.01) -> Path:
    """Train a CRF on ``(features, labels)`` sequences into ``path`` (L-BFGS; the
    result depends only on the data and these settings)."""
    import pycrfsuite

    trainer = pycrfsuite.Trainer(algorithm="lbfgs", verbose=False)
    for xseq, yseq in sequences:
        trainer.append(xseq, yseq)
    trainer.set_params({"c1": c1, "c2": c2, "max_iterations": iterations, "feature.possible_transitions": True})
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    trainer.train(str(path))
    return path
